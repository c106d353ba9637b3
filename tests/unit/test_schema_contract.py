"""The GraphQL schema is a typed contract: every read of record state answers for any moment,
outputs use the same enums as inputs, ids are IDs in and out, nothing is an untyped JSON
value, and every type and field says what it is."""

from __future__ import annotations

from graphql import (
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)

from api.schema import schema

GRAPHQL = schema._schema
# Root fields that return no record's state, and why.
NOT_RECORD_STATE = {
    "auditTrail": "a record's events, as stored",
    "events": "the change feed: events, as stored",
    "accessLog": "who read what: a log, not a record",
    "auditIntegrity": "the audit chain's head",
    "projectionPositions": "where each read model stands",
    "publishedEventTypes": "documentation of the feed",
    "planDiff": "compares the plan at two moments: `from` and `to` are its asOf",
    "incidentReconstruction": "at the incident's own time (or `at`), as known then and later",
    "webhookAttempts": "delivery attempts: a log, not a record",
}
ENUM_LIKE = {"status", "kind", "basis", "outcome", "lastOutcome", "lastReviewOutcome", "mode",
             "response", "role", "section", "state"}  # fmt: skip
# A payload type holds an event's published payload, values as the feed publishes them.
PUBLISHED_TYPES = ("Payload", "Published")


def named_types() -> list[GraphQLNamedType]:
    return [kind for name, kind in GRAPHQL.type_map.items() if not name.startswith("__")]


def test_every_read_of_record_state_takes_as_of_and_as_known_at() -> None:
    query = GRAPHQL.query_type
    assert query is not None
    missing = [
        name for name, field in query.fields.items()
        if name not in NOT_RECORD_STATE
        and {str(field.args[a].type) for a in ("asOf", "asKnownAt") if a in field.args}
        != {"DateTime"}
    ]  # fmt: skip
    assert missing == [], (
        f"these root fields return record state without asOf and asKnownAt: {missing}"
    )
    described = {query.fields[name].args[arg].description for name in query.fields
                 if name not in NOT_RECORD_STATE for arg in ("asOf", "asKnownAt")}  # fmt: skip
    assert len(described) == 2, "asOf and asKnownAt mean the same wherever they are taken"


def test_the_schema_has_no_untyped_json_value() -> None:
    scalars = {kind.name for kind in named_types() if isinstance(kind, GraphQLScalarType)}
    assert scalars <= {"String", "Int", "Float", "Boolean", "ID", "Date", "DateTime", "Position"}


def test_every_type_and_field_says_what_it_is() -> None:
    undescribed = []
    for kind in named_types():
        if isinstance(kind, GraphQLScalarType) and kind.name in ("String", "Int", "Float",
                                                                 "Boolean", "ID"):  # fmt: skip
            continue
        if not (kind.description or "").strip():
            undescribed.append(kind.name)
        if isinstance(kind, GraphQLObjectType | GraphQLInputObjectType):
            undescribed += [f"{kind.name}.{name}" for name, field in kind.fields.items()
                            if not (field.description or "").strip()]  # fmt: skip
    assert undescribed == []


def test_every_enum_like_output_is_an_enum_and_every_id_an_id() -> None:
    wrong = []
    for kind in named_types():
        if not isinstance(kind, GraphQLObjectType | GraphQLInputObjectType):
            continue
        published = kind.name.endswith(PUBLISHED_TYPES[0]) or kind.name.startswith(
            PUBLISHED_TYPES[1]
        )
        for name, field in kind.fields.items():
            inner = get_named_type(field.type)
            scalar = isinstance(inner, GraphQLScalarType)
            if name in ENUM_LIKE and not published and scalar:
                wrong.append(f"{kind.name}.{name} is {inner}")
            if (name.endswith("Id") or name.endswith("Ids")) and inner.name != "ID":
                wrong.append(f"{kind.name}.{name} is {inner}")
    assert wrong == []


def test_a_change_feed_payload_is_typed_per_event_type() -> None:
    union = GRAPHQL.get_type("EventPayload")
    assert isinstance(union, GraphQLUnionType) and len(union.types) > 40
