"""Every event ever stored still reads: each fixture in tests/fixtures/stored_events.json (events
as some version of Stepwise stored them) decodes with today's mapper to the class and attributes
it was recorded with, and every kind of event today's code stores has one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing import utils
from eventsourcing.persistence import Mapper
from eventsourcing.utils import TopicError, get_topic, resolve_topic

from domain.catalogue import ALL_EVENTS, RECORD_TYPES
from domain.topics import FORMER_NAMES
from tests.fixtures.record_stored_events import (
    MODULE_PATH,
    class_version,
    load,
    plain,
    stored_event,
)

FIXTURES = load()
GENERATE = "add one with `.venv/bin/python -m tests.fixtures.record_stored_events`"


def label(fixture: dict[str, Any]) -> str:
    version = class_version(fixture["state"])
    return f"{fixture['sample']}:{fixture['topic']}:v{version}@{fixture['originator_version']}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=label)
def test_a_stored_event_decodes_to_the_class_and_attributes_it_was_recorded_with(
    mapper: Mapper[UUID], fixture: dict[str, Any]
) -> None:
    event = mapper.to_domain_event(stored_event(fixture))

    expected = fixture["expected"]
    assert type(event) in ALL_EVENTS
    assert get_topic(type(event)) == expected["class"]
    attributes = {name: plain(getattr(event, name, None)) for name in expected["attributes"]}
    assert without_grown(attributes, expected["attributes"]) == expected["attributes"]


def without_grown(decoded: Any, recorded: Any) -> Any:
    """The decoded value less the fields its value types grew since it was recorded: a field
    added with a default of None reads as None from events stored before it (a pathway
    stage's technique, say); any other difference still fails."""
    if isinstance(decoded, dict) and isinstance(recorded, dict):
        return {key: without_grown(value, recorded.get(key)) for key, value in decoded.items()
                if key in recorded or value is not None}  # fmt: skip
    if isinstance(decoded, list) and isinstance(recorded, list) and len(decoded) == len(recorded):
        return [without_grown(d, r) for d, r in zip(decoded, recorded, strict=True)]
    return decoded


def test_every_kind_of_event_is_kept_under_its_registered_name_at_its_class_version() -> None:
    kept = {(fixture["topic"], class_version(fixture["state"])) for fixture in FIXTURES}

    missing = [
        f"{get_topic(event)} v{getattr(event, 'class_version', 1)}"
        for event in ALL_EVENTS
        if (get_topic(event), getattr(event, "class_version", 1)) not in kept
    ]

    assert missing == [], f"no stored event kept for {missing}: {GENERATE}"


def test_every_earlier_class_version_of_an_event_that_grew_is_kept() -> None:
    kept = {(fixture["expected"]["class"], class_version(fixture["state"])) for fixture in FIXTURES}
    grown = [event for event in ALL_EVENTS if getattr(event, "class_version", 1) > 1]

    assert {get_topic(event) for event in grown} == {
        "Person.Moved", "SupportPlan.OutcomeRevised", "SupportPlan.StageStarted"
    }  # fmt: skip
    for event in grown:
        for version in range(1, event.class_version + 1):
            assert (get_topic(event), version) in kept, f"{get_topic(event)} v{version}"


def test_every_name_an_event_was_stored_under_is_kept_wherever_its_module_moves() -> None:
    names = {get_topic(event) for event in ALL_EVENTS}

    unkept = {f["topic"] for f in FIXTURES} - names - set(FORMER_NAMES)

    assert unkept == set(), "keep each in domain.topics.FORMER_NAMES"


def test_an_event_stored_under_a_name_no_class_answers_to_is_refused_until_it_is_kept(
    mapper: Mapper[UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if `SupportPlan.OutcomeAgreed` had been renamed from `OutcomeSettled`."""
    (agreed, *_) = [f for f in FIXTURES if f["expected"]["class"] == "SupportPlan.OutcomeAgreed"]
    renamed = stored_event(agreed, topic="SupportPlan.OutcomeSettled")

    with pytest.raises(TopicError):
        mapper.to_domain_event(renamed)

    # What domain.topics.FORMER_NAMES does for a name it keeps.
    monkeypatch.setitem(utils._topic_cache, "SupportPlan.OutcomeSettled",
                        resolve_topic("SupportPlan.OutcomeAgreed"))  # fmt: skip
    assert get_topic(type(mapper.to_domain_event(renamed))) == "SupportPlan.OutcomeAgreed"


def test_a_record_begun_before_classes_had_names_is_still_built_from_its_first_event(
    mapper: Mapper[UUID],
) -> None:
    firsts = [f for f in FIXTURES if f["sample"] == MODULE_PATH and f["originator_version"] == 1]

    built = {type(mapper.to_domain_event(stored_event(first)).mutate(None)) for first in firsts}

    # The kinds of record of the first recording; later kinds were never stored under module
    # paths, so they have no such sample.
    assert {get_topic(record) for record in built} == {"Person", "Assessment", "SupportPlan"}
    assert built <= set(RECORD_TYPES)
