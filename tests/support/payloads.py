"""Reading a change-feed payload in full, as an integrator would: a selection of every field of
every payload type (typed per event type), and the payload back as the published dict.

A few payload types share a field name with different types (`before` is hours in one, a date
in another), which GraphQL does not let one selection ask for under one name: those fields are
asked for under an alias naming their type (`SupportPlanSupportHoursReducedPayload__before`)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, GraphQLUnionType, get_named_type

from api.schema import schema

SEPARATOR = "__"
UNION = schema._schema.get_type("EventPayload")
assert isinstance(UNION, GraphQLUnionType)


def _clashing() -> set[str]:
    """Field names with more than one shape across the payload types."""
    shapes: dict[str, set[str]] = {}
    for kind in UNION.types:
        for name, field in kind.fields.items():
            inner = get_named_type(field.type)
            shape = "object" if isinstance(inner, GraphQLObjectType) else str(field.type)
            shapes.setdefault(name, set()).add(shape)
    return {name for name, found in shapes.items() if len(found) > 1}


CLASHING = _clashing()


def _fields(kind: GraphQLObjectType, alias: str = "") -> str:
    selected = []
    for name, field in kind.fields.items():
        inner = get_named_type(field.type)
        asked = f"{alias}{SEPARATOR}{name}: {name}" if alias and name in CLASHING else name
        selected.append(f"{asked} {{ {_fields(inner)} }}" if isinstance(inner, GraphQLObjectType)
                        else asked)  # fmt: skip
    return " ".join(selected)


PAYLOAD = "payload { __typename %s }" % " ".join(  # noqa: UP031 - braces in the text
    f"... on {kind.name} {{ {_fields(kind, kind.name)} }}" for kind in UNION.types
)


def published(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the event type publishes it (without what GraphQL adds to each)."""
    return {key.split(SEPARATOR, 1)[-1]: value for key, value in payload.items()
            if key not in ("__typename", "schemaVersion")}  # fmt: skip
