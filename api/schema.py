"""The GraphQL schema: queries, mutations, and the error-code extension."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from api.errors import ErrorCodes
from api.mutations import AssessmentMutations, PeopleMutations
from api.plan_mutations import PlanMutations
from api.queries import Query

Mutation = merge_types("Mutation", (PeopleMutations, AssessmentMutations, PlanMutations))


class StepwiseSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None):  # type: ignore[no-untyped-def]
        """Errors are logged by ErrorCodes (unexpected ones only); refusals are not failures."""


schema = StepwiseSchema(query=Query, mutation=Mutation, extensions=[ErrorCodes])
