"""The GraphQL schema: every slice's root fields, the mutations generated from the command
registry, and the error-code extension."""

from __future__ import annotations

import importlib
import pkgutil

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

import api.slices
from api.access import guarded
from api.common import SCALARS
from api.errors import ErrorCodes
from api.limits import Limits, limit_rules
from api.mutations import mutation_type
from domain.care_records import REGISTRY

SLICES = [
    importlib.import_module(f"api.slices.{module.name}")
    for module in pkgutil.iter_modules(api.slices.__path__)
]
Query = merge_types("Query", tuple(s.Query for s in SLICES if hasattr(s, "Query")))
for _field in Query.__strawberry_definition__.fields:  # type: ignore[attr-defined]
    _field.extensions.append(guarded())  # the read table decides, for every root field
Mutation = mutation_type(REGISTRY)


class StepwiseSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged by ErrorCodes (unexpected ones only); refusals are not failures."""


def build_schema(limits: Limits) -> StepwiseSchema:
    return StepwiseSchema(
        query=Query,
        mutation=Mutation,
        # Clients send the same few documents again and again: validate each once. (strawberry's
        # ParserCache is left out: a syntax error raised inside it escapes the error codes.)
        extensions=[
            lambda: AddValidationRules(limit_rules(limits)),
            lambda: ValidationCache(maxsize=1024),
            ErrorCodes,
        ],
        config=StrawberryConfig(scalar_map=SCALARS),
    )


schema = build_schema(Limits())  # the published schema; the served one has the settings' limits
