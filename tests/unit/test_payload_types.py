"""Every published payload as a GraphQL type of its own (api.payloads), generated from what the
domain publishes: documented field by field, typed from the events, and serialising back to
exactly the payload the change feed publishes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest
import strawberry
from eventsourcing.persistence import Mapper
from graphql import GraphQLObjectType, GraphQLScalarType, GraphQLUnionType, build_schema
from graphql import get_named_type as named

from api.payloads import (
    EventPayload,
    PayloadTypeError,
    payload_object,
    payload_type_name,
    payload_types,
)
from domain.catalogue import PUBLISHED
from domain.publishing import Field, PublishedEvent, items_of, value_of
from projections.event_records import event_record
from tests.fixtures.record_stored_events import load, stored_event


@strawberry.type
class Query:
    payload: EventPayload = strawberry.field(description="The payload of the event under test")


SCHEMA = strawberry.Schema(query=Query)
SDL = str(SCHEMA)
GRAPHQL = build_schema(SDL)  # the schema as a client reads it


def object_type(name: str) -> GraphQLObjectType:
    found = GRAPHQL.type_map[name]
    assert isinstance(found, GraphQLObjectType), name
    return found


def field_types(name: str) -> dict[str, str]:
    return {field: str(value.type) for field, value in object_type(name).fields.items()}


def payload_types_in_the_union() -> list[GraphQLObjectType]:
    union = GRAPHQL.type_map["EventPayload"]
    assert isinstance(union, GraphQLUnionType)
    return list(union.types)


def every_object_type() -> list[GraphQLObjectType]:
    types = GRAPHQL.type_map.values()
    return [t for t in types if isinstance(t, GraphQLObjectType) and t.name != "Query"
            and not t.name.startswith("__")]  # fmt: skip


def selection(type_name: str) -> str:
    """Every field of a type, and every field of each object within it."""
    selected = []
    for name, field in object_type(type_name).fields.items():
        inner = named(field.type)
        nested = isinstance(inner, GraphQLObjectType)
        selected.append(f"{name} {{ {selection(inner.name)} }}" if nested else name)
    return " ".join(selected)


def shown(event_type: str, payload: Any) -> dict[str, Any]:
    """The payload as a client querying every field of its type is shown it."""
    type_name = payload_type_name(event_type)
    query = f"{{ payload {{ __typename ... on {type_name} {{ {selection(type_name)} }} }} }}"
    result = SCHEMA.execute_sync(query, root_value=Query(payload=payload))
    assert result.errors is None, result.errors
    assert result.data is not None
    data: dict[str, Any] = result.data["payload"]
    assert data.pop("__typename") == type_name
    return data


def as_published(value: Any, published: Any) -> Any:
    """A value object as shown, less the nulls GraphQL shows for keys a payload leaves out (a
    dict published with only the keys it holds, domain.publishing.items_of)."""
    if isinstance(value, list) and isinstance(published, list):
        return [as_published(item, then) for item, then in zip(value, published, strict=True)]
    if not (isinstance(value, dict) and isinstance(published, dict)):
        return value
    return {key: as_published(item, published.get(key)) for key, item in value.items()
            if item is not None or key in published}  # fmt: skip


def test_every_published_event_type_has_a_payload_type_in_the_union() -> None:
    names = {payload_type.name for payload_type in payload_types_in_the_union()}

    assert names == {payload_type_name(event_type) for event_type in PUBLISHED}
    assert {"PersonRegisteredPayload", "SupportPlanEnteredInErrorPayload"} <= names


def test_every_payload_type_has_its_schema_version_and_every_published_field() -> None:
    for event_type, entry in PUBLISHED.items():
        fields = field_types(payload_type_name(event_type))

        assert list(fields) == ["schemaVersion", *(field.name for field in entry.fields)]
        assert fields["schemaVersion"] == "Int!"


def test_every_payload_type_says_what_its_event_and_each_field_publishes() -> None:
    for event_type, entry in PUBLISHED.items():
        payload_type = object_type(payload_type_name(event_type))

        assert payload_type.description == entry.description
        for field in entry.fields:
            assert payload_type.fields[field.name].description == field.description


def test_every_type_and_field_within_a_payload_is_described() -> None:
    assert (GRAPHQL.type_map["EventPayload"].description or "").strip()
    for described in every_object_type():
        assert (described.description or "").strip(), described.name
        for name, field in described.fields.items():
            assert (field.description or "").strip(), f"{described.name}.{name}"


def test_values_are_typed_from_the_annotations_of_the_events_that_hold_them() -> None:
    assert field_types("PersonRegisteredPayload") == {
        "schemaVersion": "Int!", "name": "String!", "dateOfBirth": "Date",
        "serviceId": "ID!", "teamId": "ID",
    }  # fmt: skip
    assert field_types("SupportPlanSupportHoursSetPayload")["hoursPerWeek"] == "Float!"
    assert field_types("PersonConsentToShareRecordedPayload")["given"] == "Boolean!"
    assert field_types("RiskDecisionAgreedPayload")["restrictionIds"] == "[ID!]!"
    assert field_types("RestrictionImposedPayload")["terms"] == "PublishedRestrictionTerms!"
    assert field_types("PublishedRestrictionTerms")["basis"] == "String!"  # an enum's value


def test_a_value_object_is_an_object_of_its_own_with_its_described_keys() -> None:
    advocate = object_type("PublishedAdvocate")

    assert field_types("PersonAdvocateRecordedPayload")["advocate"] == "PublishedAdvocate!"
    assert field_types("PublishedAdvocate") == {
        "name": "String!", "relationship": "String!", "contact": "String"
    }  # fmt: skip
    assert advocate.fields["relationship"].description == "Relationship (to the person)"
    assert field_types("PublishedStage")["reviewDate"] == "Date!"


def test_a_value_object_is_one_type_wherever_it_is_published() -> None:
    assert field_types("RiskDecisionProposedPayload")["parts"] == "PublishedRiskParts!"
    assert field_types("RiskDecisionPartsRecordedPayload")["parts"] == "PublishedRiskParts!"
    revised = field_types("SupportPlanOutcomeRevisedPayload")
    assert revised["changes"] == revised["previous"] == "PublishedOutcomeTerms!"
    assert field_types("SupportPlanOutcomeAgreedPayload")["terms"] == "PublishedOutcomeTerms!"


def test_a_dict_published_with_only_the_keys_it_holds_has_every_key_nullable() -> None:
    analysis = field_types("PublishedReviewAnalysis")  # ReviewAnalysis.what_worked is a str

    assert analysis["whatWorked"] == "String" and analysis["newStrengths"] == "[String!]"


def test_the_payloads_use_no_json_scalar() -> None:
    scalars = {t.name for t in GRAPHQL.type_map.values() if isinstance(t, GraphQLScalarType)}

    assert scalars == {"String", "Int", "Float", "Boolean", "ID", "Date"}
    assert not re.search(r"\bJSON\b", SDL)


def test_a_published_payload_becomes_its_type_with_dates_parsed_and_value_objects_built() -> None:
    stage = {"stageId": "s-1", "title": "Shops with staff", "staffWill": "Walk beside her",
             "exitCriteria": "Three shops", "reviewDate": "2027-02-01",
             "escalationTriggers": ["Gets lost"]}  # fmt: skip

    added = payload_object("SupportPlan.PathwayStageAdded", {"outcomeId": "o-1", "stage": stage})

    assert added.schemaVersion == PUBLISHED["SupportPlan.PathwayStageAdded"].schema_version
    assert added.stage.reviewDate == date(2027, 2, 1)
    assert added.stage.escalationTriggers == ["Gets lost"]


FIXTURES = load()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f"{f['sample']}:{f['topic']}")
def test_every_stored_events_payload_is_shown_exactly_as_it_is_published(
    mapper: Mapper[UUID], fixture: dict[str, Any]
) -> None:
    event: Any = mapper.to_domain_event(stored_event(fixture))
    record = event_record(event, position=1)
    published = json.loads(record["payload"])
    event_type = record["event_type"]

    data = shown(event_type, payload_object(event_type, published))

    assert data.pop("schemaVersion") == record["schema_version"]
    assert {key: as_published(value, published[key]) for key, value in data.items()} == published


# -- generated, not listed: a new event (or field) needs no edit to api.payloads --------------


@dataclass(frozen=True)
class Mood:
    feeling: str
    score: int | None


class Visit:
    """A kind of record not declared yet, as a new one would be."""

    class Made:
        visited_on: date
        visitor_ids: list[str]
        mood: Mood | None
        notes: dict[str, Any]


MOOD = {"feeling": "feeling", "score": "score"}


def visit_made(*fields: Field) -> dict[str, PublishedEvent]:
    return {"Visit.Made": PublishedEvent("Visit.Made", 1, "A visit was made", fields)}


def test_a_newly_published_event_is_typed_with_no_edit_to_the_payload_types() -> None:
    published = visit_made(
        Field("visitedOn", "When the visit was made", "visited_on"),
        Field("visitorIds", "Who visited", "visitor_ids"),
        Field("mood", "feeling, score (1-5)", value_of("mood", MOOD)),
    )

    shape = payload_types(published, [Visit.Made])["Visit.Made"]

    sdl = build_schema(str(strawberry.Schema(query=Query, types=[shape.graphql_type])))
    made = sdl.type_map["VisitMadePayload"]
    assert isinstance(made, GraphQLObjectType)
    assert {name: str(field.type) for name, field in made.fields.items()} == {
        "schemaVersion": "Int!", "visitedOn": "Date!", "visitorIds": "[ID!]!",
        "mood": "PublishedMood",
    }  # fmt: skip
    visit = shape.instance({"schemaVersion": 1, "visitedOn": "2027-01-02", "visitorIds": ["u-1"],
                            "mood": {"feeling": "calm", "score": None}})  # fmt: skip
    assert (visit.visitedOn, visit.mood.feeling) == (date(2027, 1, 2), "calm")


def unreadable(event: Any) -> Any:
    return event.notes


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        (Field("notes", "Notes", "notes"), "says nothing of its keys"),
        (Field("notes", "Notes", items_of("notes", MOOD)), "needs shape="),
        (Field("notes", "Notes", unreadable), "read it with value_of or items_of"),
        (Field("notes", "Notes", "note"), "declares no 'note'"),
        (Field("notes", "Notes", value_of("visitor_ids", MOOD)), "is not a dataclass"),
    ],
    ids=["a dict", "a dict of no shape", "a reader of its own", "no such attribute", "a list"],
)
def test_a_field_whose_type_cannot_be_derived_is_refused_naming_its_event_type_and_name(
    field: Field, reason: str
) -> None:
    with pytest.raises(
        PayloadTypeError, match=rf"^Visit\.Made field 'notes': .*{re.escape(reason)}"
    ):
        payload_types(visit_made(field), [Visit.Made])


def test_a_value_object_published_two_ways_is_refused() -> None:
    published = visit_made(
        Field("mood", "feeling, score", value_of("mood", MOOD)),
        Field("notes", "Any of feeling, score", items_of("notes", MOOD, shape=Mood)),
    )

    with pytest.raises(PayloadTypeError, match="field 'notes': Mood is published elsewhere"):
        payload_types(published, [Visit.Made])


def test_a_field_cannot_take_the_name_of_the_schema_version() -> None:
    published = visit_made(Field("schemaVersion", "When", "visited_on"))

    with pytest.raises(PayloadTypeError, match="field 'schemaVersion'"):
        payload_types(published, [Visit.Made])


def test_an_event_type_published_without_an_event_class_of_its_name_is_refused() -> None:
    with pytest.raises(PayloadTypeError, match=r"Visit\.Made is published but no event class"):
        payload_types(visit_made(), [])
