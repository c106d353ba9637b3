"""A person's chronology: every fact of every kind of record about them, in order of when it took
effect, late entries and corrections marked, read as known at any time, on SQLite and
PostgreSQL alike; through the API, only by those whose access covers the person."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.slices.chronology import ChronologyEntry
from domain.assessment_commands import StartAssessment
from domain.care_records import CareRecords, Written
from domain.commands import Command
from domain.corrections import MarkEnteredInError
from domain.person_commands import RecordAdvocate, RegisterPerson
from domain.restriction import RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from domain.risk_decision_commands import ProposeRiskDecision
from domain.service_practice import SetPromptLadder
from infra.bootstrap import Runtime
from infra.rebuild import rebuild
from infra.settings import Settings
from projections.base import Row
from projections.chronology import Chronology, chronology_page, entries, instant
from tests.e2e.helpers import TENANT_ADMIN, WORKER, Api, Staff
from tests.support.scenarios import MANAGER, context

HOUR = timedelta(hours=1)
NORTH_WORKER = Staff("u-nia", "Nia Ford", "support_worker", services=("svc-north",))
ENTRY = """{ position recordType recordId version eventType effectiveAt recordedAt
  actor { id name role } reason causationId lateEntry lateByHours corrected correctedAt
  record { recordType recordId }
  payload { __typename ... on RiskDecisionProposedPayload { activity } } }"""
CHRONOLOGY = f"""query($p: ID!, $types: [RecordType!], $first: Int!, $after: String,
  $from: DateTime, $to: DateTime, $known: DateTime) {{
  personChronology(personId: $p, recordTypes: $types, first: $first, after: $after,
                   from: $from, to: $to, asKnownAt: $known) {{
    asOf asKnownAt edges {{ cursor node {ENTRY} }} pageInfo {{ hasNextPage endCursor }} }} }}"""


@dataclass(frozen=True)
class Story:
    """Ruth's records as written: each fact on time but her registration and an assessment
    recorded three days late, after the facts that followed it; Omar's of his own; and a
    service's prompt ladder, about nobody."""

    started: datetime  # before any of it was recorded
    person_id: str
    registered: Written
    proposed: Written
    imposed: Written
    advocate: Written
    assessment: Written
    before_late: datetime  # after every fact but the late one was recorded
    other_person: str


def at(
    records: CareRecords, command: Command, hours_ago: float, reason: str | None = None
) -> Written:
    stated = replace(context(MANAGER, reason), effective_at=datetime.now(UTC) - hours_ago * HOUR)
    return records.execute(stated, command)


def story(runtime: Runtime) -> Story:
    records = runtime.records
    started = datetime.now(UTC)
    registered = at(records, RegisterPerson("Ruth Evans", "svc-1", date(1970, 5, 1)), 720)
    person = registered.record_id
    runtime.projector.catch_up()  # later facts find whose record it is in the table
    proposed = at(records, ProposeRiskDecision(person, "Goes to the shop alone"), 3)
    at(records, SetPromptLadder("svc-1", ["Independent", "Verbal prompt"]), 2.5)
    imposed = at(records, ImposeRestriction(
        person, "Keeps her bank card in the office", "Lost two cards", RestrictionBasis.CONSENT,
        "Least restrictive that works", ["Card holder"], "Ruth",
        date.today() + timedelta(days=30)), 2)  # fmt: skip
    advocate = at(records, RecordAdvocate(person, "Sam Evans", "Brother"), 1)
    runtime.projector.catch_up()
    before_late = datetime.now(UTC)
    assessment = at(records, StartAssessment(person), 72)
    other = at(records, RegisterPerson("Omar Said", "svc-1"), 0).record_id
    at(records, ProposeRiskDecision(other, "Cooks alone"), 0)
    at(records, SetPromptLadder("svc-1", ["Independent", "Gesture"]), 0)
    runtime.projector.catch_up()
    return Story(
        started, person, registered, proposed, imposed, advocate, assessment, before_late, other
    )


def page(runtime: Runtime, person_id: str, *, known_at: datetime | None = None,
         record_types: list[str] | None = None, after: tuple[datetime, int] | None = None,
         first: int = 50, effective_from: datetime | None = None) -> list[Row]:  # fmt: skip
    now = datetime.now(UTC)
    with runtime.store.transaction() as tx:
        return chronology_page(tx, person_id, effective_from=effective_from, effective_to=now,
                               known_at=known_at or now, record_types=record_types,
                               after=after, first=first)  # fmt: skip


def listed(rows: list[Row]) -> list[tuple[str, str, int]]:
    return [(row["event_type"], row["record_id"], row["version"]) for row in rows]


def in_effective_order(s: Story) -> list[tuple[str, str, int]]:
    return [("Person.Registered", s.person_id, 1),
            ("Assessment.Started", s.assessment.record_id, 1),
            ("RiskDecision.Proposed", s.proposed.record_id, 1),
            ("Restriction.Imposed", s.imposed.record_id, 1),
            ("Person.AdvocateRecorded", s.person_id, s.advocate.version)]  # fmt: skip


def correct_advocate(runtime: Runtime, s: Story) -> Written:
    fact = f"{s.person_id}/{s.advocate.version}"
    corrected = runtime.records.execute(context(MANAGER, "Sam is her cousin"),
                                        MarkEnteredInError(fact))  # fmt: skip
    runtime.projector.catch_up()
    return corrected


# -- the read model ----------------------------------------------------------------------------


def test_a_person_s_facts_of_every_kind_are_in_order_of_when_they_took_effect(
    runtime: Runtime,
) -> None:
    s = story(runtime)

    rows = page(runtime, s.person_id)

    assert listed(rows) == in_effective_order(s)
    # The late entry was recorded after the facts that follow it, and is placed by effect.
    assert rows[1]["position"] == s.assessment.position > s.advocate.position
    imposed = rows[3]
    envelope = [imposed[c] for c in ("record_type", "actor_name", "actor_role", "tenant_id")]
    assert envelope == ["Restriction", "Mo Khan", "manager", "provider-a"]
    assert json.loads(imposed["payload"])["terms"]["what"] == "Keeps her bank card in the office"
    assert instant(imposed["recorded_at"]) - instant(imposed["effective_at"]) > 2 * HOUR * 0.99
    assert [row["voided_at"] for row in rows] == [None] * 5


def test_another_person_s_facts_and_records_about_nobody_are_not_in_a_chronology(
    runtime: Runtime,
) -> None:
    s = story(runtime)

    with runtime.store.transaction() as tx:
        kept = tx.fetchall("SELECT person_id, record_type, event_type FROM chronology "
                           "ORDER BY position")  # fmt: skip

    assert {row["record_type"] for row in kept} == {"Person", "Assessment", "RiskDecision",
                                                    "Restriction"}  # fmt: skip
    theirs = [row["event_type"] for row in kept if row["person_id"] == s.other_person]
    assert theirs == ["Person.Registered", "RiskDecision.Proposed"]
    assert {row["person_id"] for row in kept} == {s.person_id, s.other_person}
    assert s.other_person not in {row["record_id"] for row in page(runtime, s.person_id)}


def test_a_fact_recorded_after_the_moment_asked_about_is_left_out(runtime: Runtime) -> None:
    s = story(runtime)

    before = page(runtime, s.person_id, known_at=s.before_late)

    assert listed(before) == [e for e in in_effective_order(s) if e[0] != "Assessment.Started"]
    assert page(runtime, s.person_id, known_at=s.started) == []


def test_a_correction_marks_the_fact_from_when_it_was_recorded_and_is_an_entry_itself(
    runtime: Runtime,
) -> None:
    s = story(runtime)
    before_correction = datetime.now(UTC)
    corrected = correct_advocate(runtime, s)

    known_before = page(runtime, s.person_id, known_at=before_correction)
    known_after = page(runtime, s.person_id)

    assert listed(known_before) == in_effective_order(s)
    assert listed(known_after) == [
        *in_effective_order(s),
        ("Person.EnteredInError", s.person_id, corrected.version),
    ]
    advocate, correction = known_after[-2:]
    voided_at = instant(advocate["voided_at"])
    assert voided_at == instant(correction["recorded_at"]) > before_correction
    assert correction["effective_at"] == advocate["effective_at"]
    assert correction["causation_id"] == f"{s.person_id}/{s.advocate.version}"
    assert json.loads(correction["payload"]) == {
        "voidedVersion": s.advocate.version,
        "voidedType": "Person.AdvocateRecorded",
    }
    late = timedelta(hours=24)
    assert ChronologyEntry.from_row(advocate, before_correction, late).corrected is False
    shown = ChronologyEntry.from_row(advocate, datetime.now(UTC), late)
    assert (shown.corrected, shown.corrected_at) == (True, voided_at)


def test_only_the_kinds_of_record_asked_for_are_listed(runtime: Runtime) -> None:
    s = story(runtime)

    rows = page(runtime, s.person_id, record_types=["Restriction", "Person"])

    assert listed(rows) == [e for e in in_effective_order(s)
                            if e[0].split(".")[0] in ("Restriction", "Person")]  # fmt: skip
    assert page(runtime, s.person_id, record_types=[]) == []
    assert page(runtime, s.person_id, record_types=["ServicePractice"]) == []


def test_paging_after_each_last_entry_lists_every_entry_once_in_order(runtime: Runtime) -> None:
    s = story(runtime)
    correct_advocate(runtime, s)  # a correction shares its fact's effective time
    everything = page(runtime, s.person_id)
    seen: list[Row] = []
    after = None

    while True:
        rows = page(runtime, s.person_id, first=2, after=after)
        seen += rows[:2]
        if len(rows) <= 2:
            break
        after = (instant(rows[1]["effective_at"]), rows[1]["position"])

    assert len(everything) == 6
    assert [row["position"] for row in seen] == [row["position"] for row in everything]


def test_late_entries_and_what_followed_a_moment_are_found_by_time_and_cause(
    runtime: Runtime,
) -> None:
    s = story(runtime)
    correct_advocate(runtime, s)
    now = datetime.now(UTC)

    with runtime.store.transaction() as tx:
        late = entries(tx, s.person_id, known_at=now, effective_to=now - 24 * HOUR,
                       recorded_after=s.before_late)  # fmt: skip
        followed = entries(tx, s.person_id, known_at=now, effective_after=now - 2.5 * HOUR)
        caused = entries(tx, s.person_id, known_at=now, causation_prefix=f"{s.person_id}/")
        unknown = entries(tx, s.person_id, known_at=now, causation_prefix=f"{s.person_id}/99")
        earlier = entries(tx, s.person_id, known_at=s.before_late, recorded_after=s.before_late)

    assert listed(late) == [("Assessment.Started", s.assessment.record_id, 1)]
    assert [row["event_type"] for row in followed] == [
        "Restriction.Imposed", "Person.AdvocateRecorded", "Person.EnteredInError"]  # fmt: skip
    assert [row["event_type"] for row in caused] == ["Person.EnteredInError"]
    assert unknown == earlier == []


def test_a_rebuilt_chronology_equals_the_one_kept_as_the_log_grew(runtime: Runtime) -> None:
    s = story(runtime)
    correct_advocate(runtime, s)
    kept = dump(runtime)

    failures = rebuild(runtime.projector, [runtime.projector.model(Chronology.name)])

    assert failures == {}
    assert dump(runtime) == kept and len(kept) == 8


def dump(runtime: Runtime) -> list[Row]:
    with runtime.store.transaction() as tx:
        return tx.fetchall("SELECT * FROM chronology ORDER BY position")


# -- the late-entry threshold ------------------------------------------------------------------


def test_the_late_entry_threshold_is_a_setting_of_hours_not_below_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(_env_file=None).late_entry_hours == 24
    monkeypatch.setenv("STEPWISE_LATE_ENTRY_HOURS", "6.5")
    assert Settings(_env_file=None).late_entry_hours == 6.5
    with pytest.raises(ValidationError, match="late_entry_hours"):
        Settings(late_entry_hours=-1, _env_file=None)


def test_an_entry_is_late_when_recorded_longer_after_it_took_effect_than_the_threshold(
    runtime: Runtime,
) -> None:
    s = story(runtime)
    rows = page(runtime, s.person_id)
    now = datetime.now(UTC)

    by_default = [ChronologyEntry.from_row(row, now, 24 * HOUR) for row in rows]
    by_100_hours = [ChronologyEntry.from_row(row, now, 100 * HOUR) for row in rows]

    assert [e.late_entry for e in by_default] == [True, True, False, False, False]
    assert [e.late_entry for e in by_100_hours] == [True, False, False, False, False]
    assert 72 <= by_default[1].late_by_hours < 73 and by_100_hours[1].late_by_hours == 0
    assert 720 <= by_100_hours[0].late_by_hours < 721


# -- through the API ---------------------------------------------------------------------------


@pytest.fixture
def served(runtime: Runtime) -> Iterator[tuple[Api, Story]]:
    s = story(runtime)
    runtime.settings.late_entry_hours = 100
    with TestClient(create_app(runtime)) as client:
        yield Api(client), s


def chronology(api: Api, person_id: str, reader: Staff = WORKER, **given: Any) -> dict[str, Any]:
    variables = {"p": person_id, "first": 50} | given
    return api.post(CHRONOLOGY, variables, reader.headers())


def nodes(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body["errors"]
    return [edge["node"] for edge in body["data"]["personChronology"]["edges"]]


def test_the_api_lists_the_chronology_with_links_typed_payloads_and_late_marks(
    served: tuple[Api, Story],
) -> None:
    api, s = served

    found = nodes(chronology(api, s.person_id))

    assert [(n["eventType"], n["recordId"], n["version"]) for n in found] == in_effective_order(s)
    assert [n["recordType"] for n in found] == ["PERSON", "ASSESSMENT", "RISK_DECISION",
                                                "RESTRICTION", "PERSON"]  # fmt: skip
    assert [n["lateEntry"] for n in found] == [True, False, False, False, False]  # 100 hours
    proposed = found[2]
    assert proposed["payload"] == {"__typename": "RiskDecisionProposedPayload",
                                   "activity": "Goes to the shop alone"}  # fmt: skip
    assert proposed["record"] == {"recordType": "RISK_DECISION",
                                  "recordId": s.proposed.record_id}  # fmt: skip
    assert proposed["actor"] == {"id": "u-mo", "name": "Mo Khan", "role": "MANAGER"}
    assert (proposed["corrected"], proposed["correctedAt"], proposed["lateByHours"]) == (
        False, None, 0)  # fmt: skip


def test_the_api_pages_by_cursor_and_filters_by_kind_and_time(
    served: tuple[Api, Story], runtime: Runtime
) -> None:
    api, s = served
    positions, after = [], None
    while True:
        body = chronology(api, s.person_id, first=2, after=after)
        positions += [n["position"] for n in nodes(body)]
        info = body["data"]["personChronology"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]

    kinds = nodes(chronology(api, s.person_id, types=["RESTRICTION", "ASSESSMENT"]))
    since = (datetime.now(UTC) - 2.5 * HOUR).isoformat()
    window = nodes(chronology(api, s.person_id, **{"from": since}))
    known = nodes(chronology(api, s.person_id, known=s.before_late.isoformat()))

    assert positions == [row["position"] for row in page(runtime, s.person_id)]
    assert [n["eventType"] for n in kinds] == ["Assessment.Started", "Restriction.Imposed"]
    assert [n["eventType"] for n in window] == ["Restriction.Imposed", "Person.AdvocateRecorded"]
    assert "Assessment.Started" not in [n["eventType"] for n in known] and len(known) == 4


def test_the_api_refuses_a_window_that_ends_before_it_begins(served: tuple[Api, Story]) -> None:
    api, s = served
    now = datetime.now(UTC)

    body = chronology(api, s.person_id, **{"from": now.isoformat(),
                                           "to": (now - HOUR).isoformat()})  # fmt: skip

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["violations"][0]["rule"] == "input.date.range"


def test_a_reader_whose_access_does_not_cover_the_person_s_service_is_refused(
    served: tuple[Api, Story],
    runtime: Runtime,
) -> None:
    api, s = served

    outside = chronology(api, s.person_id, NORTH_WORKER)
    no_role = chronology(api, s.person_id, TENANT_ADMIN)

    assert nodes(outside) == []  # as if there were no such person
    (error,) = no_role["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert len(nodes(chronology(api, s.person_id, WORKER))) == 5
    runtime.access_log.flush()
    with runtime.store.transaction() as tx:
        logged = tx.fetchall("SELECT actor_id, outcome FROM access_log WHERE person_id = %(p)s "
                             "AND field = 'personChronology' ORDER BY entry_id",
                             {"p": s.person_id})  # fmt: skip
    assert [(row["actor_id"], row["outcome"]) for row in logged] == [
        ("u-nia", "denied"), ("u-ada", "denied"), ("u-ann", "read")]  # fmt: skip
