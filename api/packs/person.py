"""What a person's pack holds, read from the read models at one moment: the plan as it stood
at the window's end and each version of it in the window; per outcome, the weekly evidence and
what happened on the pathway; reviews with the person's part in them; risk decisions and
restrictions with their histories; incidents with what was in force when each happened; every
fact in the window, late entries and corrections flagged; and where the audit chain stood."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.support_plan import SupportPlan
from projections.audit_chain import latest_checkpoint
from projections.base import Row, Transaction
from projections.chronology import entries, instant
from projections.incidents import incidents_of
from projections.people import get_person
from projections.plan_parts import reviews_of
from projections.plan_versions import plan_versions_page
from projections.progression import (
    PLAN_LEVEL,
    evidence_by_week,
    median_rung,
    timeline_entries,
)
from projections.reconstruction import Reconstruction, reconstruct
from projections.restrictions import restrictions_of
from projections.risk_decisions import decisions_of
from projections.states import Moment
from projections.support_plans import SupportPlans, get_plan

ALL_VERSIONS = 1_000_000  # a plan's versions in one read: thousands at most


@dataclass(frozen=True)
class Latest:
    """The most recent rows of a list, at most a pack's limit, in their order, and how many
    the list holds: a pack stays readable, and its size bounded, however long the history."""

    rows: list[Row]
    total: int

    @classmethod
    def of(cls, rows: list[Row], limit: int) -> Latest:
        return cls(rows[-limit:] if limit else [], len(rows))

    @property
    def left_out(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Window:
    """The span of effective time the pack covers, as the records stood at `known_at`."""

    since: datetime
    until: datetime
    known_at: datetime
    days: tuple[date, date] | None = None  # the first and last day, where they were asked by day

    @property
    def at_end(self) -> Moment:
        return Moment(self.until, self.known_at)


@dataclass
class Outcome:
    outcome_id: str
    title: str
    baseline: str
    target: str
    retired: bool
    stages: list[dict[str, Any]]
    weeks: list[Row]  # evidence per week: median prompt rung, mean confidence, steps
    entries: Latest  # what happened on the pathway: stages, setbacks, hours, reviews


@dataclass
class Kept:
    """A risk decision or restriction as it stood, with every change to it up to then."""

    row: Row
    document: dict[str, Any]
    history: Latest


@dataclass
class Review:
    row: Row
    details: dict[str, Any]  # analysis, the person's involvement (their words), decisions


@dataclass
class IncidentPart:
    """An incident in the window, and what was in force when it happened, as known then and
    as known at the pack's moment, with the late entries and corrections between the two."""

    row: Row
    document: dict[str, Any]
    reconstruction: Reconstruction


@dataclass
class PersonPack:
    person: Row
    window: Window
    plan: dict[str, Any] | None
    plan_version: int | None
    versions: Latest  # the plan's changes that took effect in the window
    outcomes: list[Outcome]
    risk_decisions: list[Kept]
    restrictions: list[Kept]
    chronology: Latest  # the facts in the window, each with `late` and `corrected`
    hours: list[tuple[datetime, float]]  # weekly support hours, as set in the window
    reviews: list[Review]  # the plan's reviews held in the window
    incidents: list[IncidentPart]  # those that happened in the window
    last_position: int
    checkpoint: Row | None
    late_entries: int  # among every fact in the window, listed or not
    corrections: int
    late_after: timedelta = field(default=timedelta(hours=24))


def person_pack(tx: Transaction, plans: SupportPlans, person_id: str, window: Window,
                late_after: timedelta, last_position: int,
                limit: int) -> PersonPack | None:  # fmt: skip
    """The pack, or None if the person's record had not begun by the window's end. Each long
    list (versions, facts, a pathway's entries, a record's history) shows its `limit` most
    recent rows."""
    at_end = window.at_end
    person = get_person(tx, person_id, at_end)
    if person is None:
        return None
    facts = [_flagged(row, window.known_at, late_after)
             for row in entries(tx, person_id, known_at=window.known_at,
                                effective_to=window.until)]  # fmt: skip
    plan = get_plan(tx, plans, person_id, at_end)
    document = json.loads(plan["document"]) if plan else None
    every = plan_versions_page(tx, person_id, 0, ALL_VERSIONS, window.until, window.known_at)
    versions = [{**row, "changes": json.loads(row["changes"] or "[]")} for row in every
                if instant(row["effective_at"]) >= window.since]  # fmt: skip
    in_window = [row for row in facts if instant(row["effective_at"]) >= window.since]
    decisions = decisions_of(tx, person_id, at_end)
    restrictions = restrictions_of(tx, person_id, None, at_end)
    return PersonPack(
        person={**person, "document": json.loads(person["document"])},
        window=window,
        plan=document,
        plan_version=plan["version"] if plan else None,
        versions=Latest.of(versions, limit),
        outcomes=_outcomes(tx, person_id, document, window, limit),
        risk_decisions=_kept(decisions, "risk_decision_id", facts, limit),
        restrictions=_kept(restrictions, "restriction_id", facts, limit),
        chronology=Latest.of(in_window, limit),
        late_entries=sum(1 for row in in_window if row["late"]),
        corrections=sum(1 for row in in_window if row["corrected"]),
        hours=_hours(tx, person_id, window, limit),
        reviews=[
            Review(row, json.loads(row["details"] or "{}"))
            for row in reviews_of(tx, person_id, at_end)
            if row["held_at"] and instant(row["held_at"]) >= window.since
        ],
        incidents=_incidents(tx, plans, person, window),
        last_position=last_position,
        checkpoint=latest_checkpoint(tx),
        late_after=late_after,
    )


def _hours(tx: Transaction, person_id: str, window: Window,
           limit: int) -> list[tuple[datetime, float]]:  # fmt: skip
    """Each weekly support hours the plan set in the window (its `limit` most recent)."""
    rows = timeline_entries(tx, person_id, PLAN_LEVEL, window.since, window.until, window.at_end)
    return [(instant(row["effective_at"]), json.loads(row["detail"])["hoursPerWeek"])
            for row in rows if row["kind"] == "hours"][-limit:]  # fmt: skip


def _incidents(tx: Transaction, plans: SupportPlans, person: Row,
               window: Window) -> list[IncidentPart]:  # fmt: skip
    found = []
    for row in incidents_of(tx, person["tenant_id"], window.at_end, person_id=person["person_id"],
                            occurred_from=window.since, occurred_to=window.until):  # fmt: skip
        rebuilt = reconstruct(tx, plans, row["incident_id"], window.known_at, window.until)
        if rebuilt is not None:
            found.append(IncidentPart(row, json.loads(row["document"]), rebuilt))
    return found


def _flagged(row: Row, known_at: datetime, late_after: timedelta) -> Row:
    recorded, effective = instant(row["recorded_at"]), instant(row["effective_at"])
    voided = row["voided_at"] is not None and instant(row["voided_at"]) <= known_at
    return {**row, "late": recorded - effective > late_after, "corrected": voided,
            "payload": json.loads(row["payload"])}  # fmt: skip


def _outcomes(tx: Transaction, person_id: str, plan: dict[str, Any] | None,
              window: Window, limit: int) -> list[Outcome]:  # fmt: skip
    if plan is None:
        return []
    found = []
    for outcome_id, outcome in plan["outcomes"].items():
        weeks = evidence_by_week(tx, person_id, outcome_id, window.since, window.until,
                                 window.at_end)  # fmt: skip
        for week in weeks:
            median = median_rung(week["rungs"])
            week["median_rung"] = median[0] if median else None
            week["median_level"] = median[1] if median else None
            count = week["confidence_count"]
            week["confidence"] = week["confidence_sum"] / count if count else None
        found.append(Outcome(
            outcome_id=outcome_id, title=outcome["title"], baseline=outcome["baseline"],
            target=outcome["target"], retired=outcome["status"] == "retired",
            stages=outcome["stages"], weeks=weeks,
            entries=Latest.of(timeline_entries(tx, person_id, outcome_id, window.since,
                                               window.until, window.at_end), limit),
        ))  # fmt: skip
    return found


def _kept(rows: list[Row], key: str, facts: list[Row], limit: int) -> list[Kept]:
    by_record: dict[str, list[Row]] = {}
    for fact in facts:
        by_record.setdefault(fact["record_id"], []).append(fact)
    return [Kept(row, json.loads(row["document"]) if row.get("document") else {},
                 Latest.of(by_record.get(row[key], []), limit)) for row in rows]  # fmt: skip


def plan_id(person_id: str) -> str:
    return str(SupportPlan.create_id(person_id))
