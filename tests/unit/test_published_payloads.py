"""What the change feed publishes of each event: a payload with a schema version per event type,
built from documented fields, never from whatever attributes the event happens to hold."""

from __future__ import annotations

import json
from copy import copy
from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from domain.catalogue import ALL_EVENTS, PUBLISHED, published
from domain.publishing import Unpublishable
from projections.event_records import event_record
from tests.fixtures.record_stored_events import (
    CURRENT,
    MODULE_PATH,
    load,
    load_published,
    stored_event,
)

FIXTURES = load()


def decoded(mapper: Mapper[UUID], fixture: dict[str, Any]) -> Any:
    return mapper.to_domain_event(stored_event(fixture))


def first_of(mapper: Mapper[UUID], event_class: str) -> Any:
    (fixture, *_) = [f for f in FIXTURES if f["expected"]["class"] == event_class]
    return decoded(mapper, fixture)


def test_every_event_type_is_published_with_a_schema_version_and_documented_fields() -> None:
    assert set(PUBLISHED) == {get_topic(event) for event in ALL_EVENTS}
    for entry in PUBLISHED.values():
        names = [field.name for field in entry.fields]
        assert entry.schema_version >= 1 and entry.description.strip(), entry.event_type
        assert len(set(names)) == len(names), entry.event_type
        assert all(field.description.strip() for field in entry.fields), entry.event_type
        assert all("_" not in name and name[0].islower() for name in names), entry.event_type


def test_the_feed_names_each_event_as_it_is_stored_and_published() -> None:
    for event in ALL_EVENTS:
        assert event.__qualname__ == get_topic(event) == PUBLISHED[get_topic(event)].event_type


def test_a_schema_versions_fields_never_change() -> None:
    pinned = load_published()

    for entry in PUBLISHED.values():
        fields = [field.name for field in entry.fields]
        recorded = pinned.get(entry.event_type, {}).get(str(entry.schema_version))
        assert recorded == fields, (
            f"{entry.event_type} schema version {entry.schema_version} was published with "
            f"{recorded}: raise its schema_version (and run tests.fixtures.record_stored_events)"
        )


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f"{f['sample']}:{f['topic']}")
def test_every_stored_event_publishes_exactly_its_documented_fields(
    mapper: Mapper[UUID], fixture: dict[str, Any]
) -> None:
    event = decoded(mapper, fixture)

    record = event_record(event, position=7)

    entry = published(event)
    assert record["event_type"] == entry.event_type == fixture["expected"]["class"]
    assert record["schema_version"] == entry.schema_version
    assert list(json.loads(record["payload"])) == sorted(field.name for field in entry.fields)


def test_the_envelope_is_published_beside_the_payload_never_in_it(mapper: Mapper[UUID]) -> None:
    moved = first_of(mapper, "Person.Moved")

    record = event_record(moved, position=3)

    assert json.loads(record["payload"]) == {
        "serviceId": "svc-2", "teamId": "t-2", "fromServiceId": "svc-1", "fromTeamId": "t-1"
    }  # fmt: skip
    assert record["actor_id"] == moved.envelope.actor.id
    assert record["schema_version"] == 1


def test_a_value_object_is_published_under_its_documented_keys(mapper: Mapper[UUID]) -> None:
    revised = first_of(mapper, "SupportPlan.OutcomeRevised")
    step = first_of(mapper, "SupportPlan.EnablementStepAdded")

    assert published(revised).payload(revised)["previous"] == {"target": "Cooks twice a week"}
    assert set(published(step).payload(step)["step"]) == {
        "stepId", "strength", "weeklyMicroStep", "evidenceRoute"
    }  # fmt: skip


def test_renaming_an_attribute_inside_an_event_does_not_change_its_payload(
    mapper: Mapper[UUID],
) -> None:
    reduced = first_of(mapper, "SupportPlan.SupportHoursReduced")
    entry = published(reduced)
    payload = entry.payload(reduced)
    renamed = copy(reduced)  # as if `before` were now stored as `hours_before`
    vars(renamed)["hours_before"] = vars(renamed).pop("before")
    vars(renamed)["internal_note"] = "kept inside the event"

    with pytest.raises(Unpublishable, match="SupportHoursReduced"):
        entry.payload(renamed)  # never a silently different payload
    following = replace(entry, fields=tuple(
        replace(field, source="hours_before") if field.name == "before" else field
        for field in entry.fields
    ))  # fmt: skip
    assert following.payload(renamed) == payload == {"before": 14.0, "after": 10.0}


def test_an_event_stored_before_classes_had_names_is_published_as_if_stored_today(
    mapper: Mapper[UUID],
) -> None:
    def key(fixture: dict[str, Any]) -> tuple[str, int]:
        return fixture["originator_id"], fixture["originator_version"]

    today = {key(f): f for f in FIXTURES if f["sample"] == CURRENT}
    pairs = [(today[key(f)], f) for f in FIXTURES if f["sample"] == MODULE_PATH and key(f) in today]

    # Only events of the first recording were sampled under module paths: each has its twin.
    sampled = {f["expected"]["class"] for f in FIXTURES if f["sample"] == MODULE_PATH}
    assert len(pairs) == len(sampled)
    assert {then["expected"]["class"] for _, then in pairs} == sampled
    for now, then in map(lambda pair: [decoded(mapper, f) for f in pair], pairs):
        assert event_record(then, 1)["payload"] == event_record(now, 1)["payload"]
