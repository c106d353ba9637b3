"""A kind of record is declared once (domain.record_type) and everything else is derived from
the declaration: a kind that lacks one of the facets the rest of Stepwise needs fails here."""

from __future__ import annotations

import typing
from dataclasses import is_dataclass
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from domain.catalogue import ALL_EVENTS, DECLARED, PUBLISHED, RECORD_TYPES, REGISTRY
from domain.record import Record
from domain.record_type import ITSELF, PERSON, RecordType
from domain.transcodings import value_types
from projections import all_read_models
from projections.folding import RecordTable

KINDS = {kind.name: kind for kind in DECLARED}


def every_subclass(cls: type) -> set[type]:
    return {sub for child in cls.__subclasses__() for sub in {child, *every_subclass(child)}}


def test_every_kind_of_record_is_declared_once() -> None:
    assert set(RECORD_TYPES) == every_subclass(Record)
    assert len(RECORD_TYPES) == len(set(RECORD_TYPES)) == len(KINDS)


@pytest.mark.parametrize("kind", DECLARED, ids=lambda kind: kind.name)
def test_each_kind_has_commands_with_roles(kind: RecordType) -> None:
    assert kind.commands, f"{kind.name} declares no command: nothing could record it"
    assert all(registration.roles for registration in kind.commands)
    assert {r.command for r in kind.commands} <= {r.command for r in REGISTRY}


@pytest.mark.parametrize("kind", DECLARED, ids=lambda kind: kind.name)
def test_each_event_of_each_kind_is_published_and_documented(kind: RecordType) -> None:
    published = {entry.event_type for entry in kind.all_published()}
    assert published == {get_topic(event) for event in kind.events()}
    assert all(PUBLISHED[name].description for name in published)


@pytest.mark.parametrize("kind", DECLARED, ids=lambda kind: kind.name)
def test_each_kind_says_whose_record_it_is_and_who_may_read_it(kind: RecordType) -> None:
    assert kind.person in (PERSON, ITSELF, None)
    begun_by = typing.get_type_hints(kind.begun_by)
    if kind.person == PERSON:
        assert PERSON in begun_by, f"{kind.begun_by.__qualname__} does not name the person"
    if kind.service is not None:
        assert kind.service in begun_by
    assert kind.readers


@pytest.mark.parametrize("kind", DECLARED, ids=lambda kind: kind.name)
def test_each_value_object_its_events_hold_is_stored_under_a_name(kind: RecordType) -> None:
    registered = set(value_types().values())
    held = {found for event in kind.events() for found in _dataclasses(event)}
    assert held <= registered, f"{kind.name} stores {held - registered} with no transcoding"


@pytest.mark.parametrize("kind", DECLARED, ids=lambda kind: kind.name)
def test_each_kind_has_a_read_model_keeping_its_states(kind: RecordType) -> None:
    models = all_read_models(codec=None, read_stored=None, signing_key=None)  # type: ignore[arg-type]
    keeping = [m for m in models if isinstance(m, RecordTable) and m.aggregate is kind.aggregate]
    assert len(keeping) == 1, f"no read model keeps the states of {kind.name}"


def test_every_event_belongs_to_a_declared_kind() -> None:
    assert {event.__qualname__.split(".")[0] for event in ALL_EVENTS} == set(KINDS)


def _dataclasses(owner: Any) -> set[type]:
    found: set[type] = set()
    for hint in typing.get_type_hints(owner).values():
        for candidate in (hint, *typing.get_args(hint)):
            if isinstance(candidate, type) and is_dataclass(candidate):
                found |= {candidate, *_dataclasses(candidate)}
            for inner in typing.get_args(candidate):
                if isinstance(inner, type) and is_dataclass(inner):
                    found |= {inner, *_dataclasses(inner)}
    return found


def test_the_helper_finds_nested_value_objects() -> None:
    from domain.restriction import Restriction, RestrictionTerms

    assert RestrictionTerms in _dataclasses(Restriction.Imposed)
    assert all(is_dataclass(found) for found in _dataclasses(Restriction.Imposed))
