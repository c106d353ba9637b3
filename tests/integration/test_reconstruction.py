"""An incident's reconstruction, read from the read models' states, equals the brute-force
answer: every one of the person's records replayed from its events as known at each time,
with a late entry and a correction recorded after the incident."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import pytest

from domain.care_records import CareRecords
from domain.corrections import MarkEnteredInError
from domain.envelope import Actor, event_id
from domain.incident import HarmLevel
from domain.incident_commands import ReportIncident
from domain.restriction import IN_FORCE, Restriction, RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from domain.risk_decision import RiskDecision
from domain.risk_decision_commands import AgreeRiskDecision, ProposeRiskDecision
from domain.support_plan import SupportPlan
from domain.support_plan_commands import SetSupportHours, WriteStaffGuidance
from domain.timeline import state_at
from infra.bootstrap import Runtime
from projections.reconstruction import InForce, reconstruct
from projections.support_plans import SupportPlans
from tests.support.scenarios import MANAGER, WORKER, agreed_plan, context


def now(actor: Actor = MANAGER, when: datetime | None = None) -> Any:
    return replace(context(actor, "as agreed"), effective_at=when)


def story(records: CareRecords) -> dict[str, Any]:
    """A plan, an agreed risk decision, a restriction and staff guidance; an incident; then a
    late entry (hours set before the incident took effect) and a correction (the restriction
    entered in error), both recorded after it. Each fact takes effect as it is recorded, but
    for the late entry, so what was known when the incident happened is all recorded then."""
    person = agreed_plan(records).person_id
    parts: dict[str, Any] = {
        "risks": ["Traffic"], "could_go_right": "Independence", "could_go_wrong": "Lost",
        "safeguards": ["Carries a phone"], "escalation": "Call after 30 minutes",
        "review_by": (records.clock() + timedelta(days=30)).date(), "person_views": "Yes",
    }  # fmt: skip
    proposed = ProposeRiskDecision(person, "Walks to the shop alone", **parts)
    decision = records.execute(now(WORKER), proposed).record_id
    records.execute(now(), AgreeRiskDecision(decision))
    card = ImposeRestriction(person, "Card kept in the office", "Lost two",
                             RestrictionBasis.CONSENT, "Only between trips", ["A purse chain"],
                             "Ruth", (records.clock() + timedelta(days=20)).date())  # fmt: skip
    restriction = records.execute(now(), card)
    records.execute(now(), WriteStaffGuidance(person, "Walk with her to the lights"))
    before_incident = records.clock()
    reported = ReportIncident(person, "Crossed against the lights", "High Street",
                              "Staff met her", HarmLevel.LOW, ["staff-ann"],
                              "Walks to the shop alone", decision)  # fmt: skip
    incident = records.execute(now(WORKER), reported).record_id
    recorded_incident = records.clock()
    records.execute(now(when=before_incident), SetSupportHours(person, 9))
    late_recorded = records.clock()
    voided = event_id(restriction.record_id, restriction.version)
    records.execute(replace(context(MANAGER, "Another person's card")),
                    MarkEnteredInError(voided))  # fmt: skip
    return {"person": person, "decision": decision, "incident": incident,
            "restriction": restriction.record_id, "recorded_incident": recorded_incident,
            "late_recorded": late_recorded}  # fmt: skip


def brute_force(records: CareRecords, kind: type, record_id: Any, as_of: datetime,
                known_at: datetime) -> Any:  # fmt: skip
    events = list(records.repository.event_store.get(UUID(str(record_id))))
    found = state_at(events, as_of, known_at)
    return found if isinstance(found, kind) else None


def check_side(records: CareRecords, side: InForce, facts: dict[str, Any]) -> None:
    moment = side.moment
    plan = brute_force(records, SupportPlan, SupportPlan.create_id(facts["person"]),
                       moment.as_of, moment.as_known_at)  # fmt: skip
    assert side.plan is not None and plan is not None
    document = side.plan["document"]
    assert f'"supportHoursPerWeek":{plan.support_hours_per_week}' in document.replace(" ", "")
    assert plan.staff_guidance in document
    decision = cast(RiskDecision, brute_force(records, RiskDecision, facts["decision"],
                                              moment.as_of, moment.as_known_at))  # fmt: skip
    [row] = side.decisions
    assert (row["status"], decision.parts.safeguards[0] in row["document"]) == (
        decision.status,
        True,
    )
    restriction = brute_force(records, Restriction, facts["restriction"], moment.as_of,
                              moment.as_known_at)  # fmt: skip
    in_force = (
        [] if restriction is None or restriction.status != IN_FORCE else [facts["restriction"]]
    )
    assert [row["restriction_id"] for row in side.restrictions] == in_force


@pytest.fixture
def told(runtime: Runtime) -> dict[str, Any]:
    facts = story(runtime.records)
    runtime.projector.catch_up()
    return facts


def read(runtime: Runtime, facts: dict[str, Any], known_at: datetime) -> Any:
    plans = cast(SupportPlans, runtime.projector.model(SupportPlans.name))
    now = datetime.now(UTC)
    with runtime.store.transaction() as tx:
        return reconstruct(tx, plans, facts["incident"], known_at, now)


def test_each_side_equals_the_records_replayed_as_known_then(
    runtime: Runtime, told: dict[str, Any]
) -> None:
    for known_at in (told["recorded_incident"], told["late_recorded"], datetime.now(UTC)):
        found = read(runtime, told, known_at)
        check_side(runtime.records, found.then, told)
        check_side(runtime.records, found.now, told)


def test_known_then_and_now_differ_by_the_late_entry_and_the_correction(
    runtime: Runtime, told: dict[str, Any]
) -> None:
    found = read(runtime, told, datetime.now(UTC))

    assert [row["restriction_id"] for row in found.then.restrictions] == [told["restriction"]]
    assert found.now.restrictions == []
    hours = [json.loads(side.plan["document"])["supportHoursPerWeek"]
             for side in (found.then, found.now)]  # fmt: skip
    assert hours == [14, 9]
    # In effective order: a correction takes effect when the fact it voids did.
    assert [(row["event_type"], row["record_id"]) for row in found.differs] == [
        ("Restriction.EnteredInError", told["restriction"]),
        ("SupportPlan.SupportHoursReduced", str(SupportPlan.create_id(told["person"]))),
    ]
    # As known before the late entry, nothing differs from what was known then but the
    # incident itself, which is no record in force.
    before = read(runtime, told, told["recorded_incident"])
    assert before.differs == []
    assert before.then.sections() == before.now.sections()
