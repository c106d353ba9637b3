"""People with long histories and an incident part-way through, for the reconstruction bench.

Each person has an agreed plan whose history is written as the asOf bench writes it (changes a
minute apart from a month ago, decided with the domain's own methods, saved 500 events a
transaction), an agreed risk decision relying on a restriction, and an incident.

The incident is reported, effective now, once nine tenths of the history is recorded: what was
"known then" is read as recorded by the incident's effective time, so an incident effective
before its history was recorded would find nothing known then, and cost nothing to read. After
it come a restriction naming it, one revision of staff guidance in response, a late entry
effective the day before it (so what is known now differs), and the rest of the history.

After the incident the plan changes in every part but its staff guidance: the reconstruction
lists every revision of guidance made after an open incident, and a thousand of them would
measure the size of the answer rather than the length of the history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from domain.care_records import CareRecords
from domain.envelope import Actor, CommandContext, Role
from domain.incident import HarmLevel
from domain.incident_commands import ReportIncident
from domain.outcome import OutcomeTerms
from domain.restriction import RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from domain.risk_decision_commands import AgreeRiskDecision, ProposeRiskDecision
from domain.support_plan import SupportPlan
from infra.bench.as_of import TENANT, agreed_plan, change, sealed
from infra.bench.staff import join_bench_staff

DEPTHS = (100, 10_000)
RECORDED_BEFORE = 0.9  # of the history, recorded before the incident is reported
SAVE_EVERY = 500
MANAGER = Actor("bench-manager", "Bench manager", Role.MANAGER)
ACTIVITY = "Travels to the shop alone"


@dataclass(frozen=True)
class IncidentHistory:
    person_id: str
    incident_id: str
    part_way: datetime  # a quarter of the way through the history, by effective time
    reported: datetime  # just after the incident was reported (effective and recorded)


def write_people(
    records: CareRecords, began: datetime, depths: tuple[int, ...] = DEPTHS,
    progress: Callable[[str], None] = print,
) -> dict[int, IncidentHistory]:  # fmt: skip
    """A person with a plan history of each depth, and an incident part-way through it."""
    join_bench_staff(records, TENANT)
    return {events: person_with_incident(records, events, began, progress) for events in depths}


def person_with_incident(
    records: CareRecords, events: int, began: datetime, progress: Callable[[str], None]
) -> IncidentHistory:
    person, assessment, plan = agreed_plan(events, began)
    records.save(person, assessment, plan)
    person_id = str(person.id)
    decision_id = agreed_risk_decision(records, person_id, began)

    def told() -> None:
        progress(f"reconstruction: writing a {events:,}-event history, {plan.version:,} written")

    n = write_history(records, plan, began, int(events * RECORDED_BEFORE), told)
    incident_id = report_incident(records, person_id, decision_id)
    reported = datetime.now(UTC)
    respond(records, plan, person_id, incident_id, reported)
    write_after(records, plan, n, events, told)
    return IncidentHistory(person_id, incident_id, began + timedelta(minutes=events // 4), reported)


def write_history(
    records: CareRecords, plan: SupportPlan, began: datetime, events: int, told: Callable[[], None]
) -> int:
    """Changes a minute apart from `began`, as the asOf bench writes them; the last n."""
    n = 0
    while plan.version < events:
        n += 1
        late = n % 1_000 == 0
        at = began + timedelta(minutes=n) - (timedelta(days=2) if late else timedelta(0))
        change(plan, n, sealed(max(at, began + timedelta(minutes=1))))
        if len(plan.pending_events) >= SAVE_EVERY or plan.version >= events:
            records.save(plan)
            told()
    return n


def write_after(
    records: CareRecords, plan: SupportPlan, n: int, events: int, told: Callable[[], None]
) -> None:
    """The rest of the history, each change effective as it is decided: after the incident."""
    while plan.version < events:
        n += 1
        at = sealed(datetime.now(UTC))
        kind = n % 3
        if kind == 0:
            plan.set_support_hours(at, 30 + n % 7)  # apart from the hours set before
        elif kind == 1:
            plan.set_next_review_date(at, date.today() + timedelta(days=60 + n))
        else:
            plan.revise_outcome(at, "outcome-1", OutcomeTerms(target=f"Target {n}", builds_on=None))
        if len(plan.pending_events) >= SAVE_EVERY or plan.version >= events:
            records.save(plan)
            told()


def agreed_risk_decision(records: CareRecords, person_id: str, began: datetime) -> str:
    """Proposed, relying on a restriction imposed for it, and agreed, when the plan began."""
    stated = _context(began)
    review_by = (began + timedelta(days=60)).date()
    proposed = ProposeRiskDecision(
        person_id=person_id, activity=ACTIVITY, risks=["Traffic", "Getting lost"],
        could_go_right="Chooses her own shopping", could_go_wrong="Crosses against the lights",
        safeguards=["Carries a phone", "Calls on arrival"], escalation="Call after 30 minutes",
        review_by=review_by, person_views="Wants to go alone",
    )  # fmt: skip
    decision_id = records.execute(stated, proposed).record_id
    kept = _restriction(person_id, "Bank card kept in the office", review_by,
                        risk_decision_id=decision_id)  # fmt: skip
    records.execute(stated, kept)
    records.execute(stated, AgreeRiskDecision(decision_id))
    return decision_id


def report_incident(records: CareRecords, person_id: str, decision_id: str) -> str:
    reported = ReportIncident(
        person_id=person_id, what_happened="Crossed against the lights", location="High Street",
        immediate_actions="Staff met her at the shop", harm_level=HarmLevel.LOW,
        staff_involved=["staff-ann"], activity=ACTIVITY, risk_decision_id=decision_id,
    )  # fmt: skip
    return records.execute(_context(None), reported).record_id


def respond(
    records: CareRecords, plan: SupportPlan, person_id: str, incident_id: str, reported: datetime
) -> None:
    """A restriction naming the incident, guidance revised in response, and a late entry."""
    review_by = (reported + timedelta(days=30)).date()
    escorted = _restriction(person_id, "Crosses roads with staff", review_by,
                            incident_id=incident_id)  # fmt: skip
    records.execute(_context(None), escorted)
    plan.write_staff_guidance(sealed(datetime.now(UTC)), "Walk with her to the lights")
    plan.set_support_hours(sealed(reported - timedelta(days=1), "late entry"), 40)
    records.save(plan)


def _restriction(person_id: str, what: str, review_by: date, **linked: str) -> ImposeRestriction:
    return ImposeRestriction(
        person_id=person_id, what=what, why="Keeps her safe on the way",
        basis=RestrictionBasis.CONSENT, proportionality="Only between trips",
        less_restrictive_options=["A purse chain"], agreed_by="Bench manager",
        review_by=review_by, **linked,
    )  # fmt: skip


def _context(at: datetime | None) -> CommandContext:
    return CommandContext(MANAGER, TENANT, "bench-reconstruction", effective_at=at,
                          reason="agreed with the person")  # fmt: skip
