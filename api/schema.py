"""The GraphQL schema: queries, mutations, and the error-code extension."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.errors import ErrorCodes
from api.mutations import AssessmentMutations, PeopleMutations
from api.plan_mutations import PlanMutations
from api.queries import Query

Mutation = merge_types("Mutation", (PeopleMutations, AssessmentMutations, PlanMutations))


class StepwiseSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged by ErrorCodes (unexpected ones only); refusals are not failures."""


schema = StepwiseSchema(query=Query, mutation=Mutation, extensions=[ErrorCodes])
