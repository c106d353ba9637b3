"""The GraphQL schema: every slice's root fields, the mutations generated from the command
registry, and the error-code extension."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from collections.abc import Iterator
from functools import lru_cache

import strawberry
from graphql import GraphQLError, parse
from strawberry.extensions import AddValidationRules, SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

import api.slices
from api.access import declared_readers, readable_by
from api.common import SCALARS
from api.errors import ErrorCodes
from api.limits import Limits, limit_rules
from api.mutations import mutation_type
from api.observed import OperationLabels
from domain.catalogue import REGISTRY

SLICES = [
    importlib.import_module(f"api.slices.{module.name}")
    for module in pkgutil.iter_modules(api.slices.__path__)
]
Query = merge_types("Query", tuple(s.Query for s in SLICES if hasattr(s, "Query")))
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Every read: a person's records at any moment, service-wide lists, the change feed and "
    "audit trail, and how the system stands"
)
for _field in Query.__strawberry_definition__.fields:  # type: ignore[attr-defined]
    if declared_readers(_field.extensions) is None:
        _field.extensions.extend(readable_by(frozenset()))  # fail closed: nobody may read it
Mutation = mutation_type(REGISTRY)
Subscription = merge_types(
    "Subscription", tuple(s.Subscription for s in SLICES if hasattr(s, "Subscription"))
)
Subscription.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Live reads, over graphql-transport-ws"
)
# Distinct documents kept parsed and validated: bounded, so unique texts cannot grow memory.
DOCUMENTS_CACHED = 1024


class StepwiseSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged by ErrorCodes (unexpected ones only); refusals are not failures."""


class CachedParsing(SchemaExtension):
    """Parses each distinct document once. A document that does not parse is left to
    strawberry's own parsing, which reports the syntax error as a GraphQL error (strawberry's
    ParserCache raises it from inside the extension instead, past the error codes)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:
            with contextlib.suppress(GraphQLError):
                context.graphql_document = _parse(context.query, **context.parse_options)
        yield


_parse = lru_cache(maxsize=DOCUMENTS_CACHED)(parse)


def build_schema(limits: Limits) -> StepwiseSchema:
    # The same rule classes on every request: the validation cache is keyed by them.
    rules = limit_rules(limits)
    return StepwiseSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Clients send the same few documents again and again: parse and validate each once.
        extensions=[
            CachedParsing,
            lambda: AddValidationRules(rules),
            lambda: ValidationCache(maxsize=DOCUMENTS_CACHED),
            ErrorCodes,
            OperationLabels,  # for /metrics and the request's log line
        ],
        config=StrawberryConfig(scalar_map=SCALARS),
    )


schema = build_schema(Limits())  # the published schema; the served one has the settings' limits
