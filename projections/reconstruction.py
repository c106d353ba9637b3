"""An incident reconstructed: what the person's records said was in force when it happened, as
known at that moment and as known later, what differs between the two (the late entries and
corrections recorded since), and what followed it.

Each side is read from the read models' states at (asOf = when it happened, asKnownAt = then or
later): one indexed lookup per kind of record, however long the person's history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.base import Row, Transaction
from projections.chronology import entries, instant
from projections.incidents import incident_at, incidents_of, open_practice_changes
from projections.plan_parts import reviews_of
from projections.restrictions import restrictions_of
from projections.risk_decisions import decisions_of
from projections.staff import staff_members
from projections.states import STATE_TIMES, Moment
from projections.support_plans import SupportPlans, get_plan

# The facts that answer to an incident: restrictions imposed, risk decisions reviewed and
# staff guidance revised after it (besides its own facts and those it caused).
RESPONSES = ("Restriction.Imposed", "RiskDecision.Reviewed", "SupportPlan.StaffGuidanceWritten",
             "SupportPlan.StaffGuidanceRewritten")  # fmt: skip
FOLLOWED_AT_MOST = 500  # facts that followed an incident, in one answer
READ_MODELS = ("incidents", "support_plans", "risk_decisions", "restrictions", "chronology",
               "staff")  # fmt: skip


@dataclass(frozen=True)
class InForce:
    """The person's records at one moment."""

    moment: Moment
    plan: Row | None
    decisions: list[Row]
    restrictions: list[Row]  # in force
    reviews: list[Row]  # the plan's reviews
    practice_changes: list[tuple[Row, dict[str, Any]]]  # open, from earlier incidents
    staff: dict[str, Row | None]  # each member of staff involved, by staff id (None: unknown)

    def sections(self) -> dict[str, Any]:
        """What each section holds, for comparing two moments (their times left out)."""
        return {
            "plan": _content(self.plan),
            "risk_decisions": [_content(row) for row in self.decisions],
            "restrictions": [_content(row) for row in self.restrictions],
            "reviews": [_content(row) for row in self.reviews],
            "practice_changes": [(row["incident_id"], c) for row, c in self.practice_changes],
            "staff_competence": {staff: _content(row) for staff, row in self.staff.items()},
        }


@dataclass(frozen=True)
class Reconstruction:
    incident: Row  # as known at asKnownAt
    happened_at: datetime
    then: InForce
    now: InForce
    differs: list[Row]  # chronology entries: late entries and corrections recorded since
    followed: list[Row]  # chronology entries answering to the incident


def reconstruct(
    tx: Transaction, plans: SupportPlans, incident_id: str, known_at: datetime, now: datetime,
    at: datetime | None = None,
) -> Reconstruction | None:  # fmt: skip
    """The incident as known at `known_at`, and its person's records at `at` (default: when it
    happened) as known then and as known at `known_at`."""
    incident = incident_at(tx, incident_id, Moment(now, known_at))
    if incident is None:
        return None
    person, happened = incident["person_id"], at or instant(incident["occurred_at"])
    then = in_force(tx, plans, incident, Moment(happened, happened))
    later = in_force(tx, plans, incident, Moment(happened, known_at))
    # The incident's own facts are no part of what was in force.
    differs = [row for row in entries(tx, person, known_at=known_at, effective_to=happened,
                                      recorded_after=happened)
               if row["record_id"] != incident_id]  # fmt: skip
    return Reconstruction(incident, happened, then, later, differs,
                          followed(tx, incident, happened, known_at))  # fmt: skip


def in_force(tx: Transaction, plans: SupportPlans, incident: Row, moment: Moment) -> InForce:
    person = incident["person_id"]
    earlier = [row for row in incidents_of(tx, incident["tenant_id"], moment, person_id=person)
               if row["incident_id"] != incident["incident_id"]]  # fmt: skip
    return InForce(
        moment=moment,
        plan=get_plan(tx, plans, person, moment),
        decisions=decisions_of(tx, person, moment),
        restrictions=restrictions_of(tx, person, "in_force", moment),
        reviews=reviews_of(tx, person, moment),
        practice_changes=open_practice_changes(earlier, moment),
        staff=_involved(tx, incident, moment),
    )


def _involved(tx: Transaction, incident: Row, moment: Moment) -> dict[str, Row | None]:
    involved = json.loads(incident["document"])["report"]["staffInvolved"]
    found = staff_members(tx, incident["tenant_id"], involved, moment)
    return {staff_id: found.get(staff_id) for staff_id in involved}


def followed(tx: Transaction, incident: Row, happened: datetime, known_at: datetime) -> list[Row]:
    """The facts recorded by `known_at` that took effect from the incident until it closed (or
    until now): its own, those caused by it, and the responses of the person's other records."""
    names = {f"t{n}": name for n, name in enumerate(RESPONSES)}
    record = incident["incident_id"]
    closed = json.loads(incident["document"])["closedAt"]
    until = "AND effective_at <= %(closed)s " if closed else ""
    return tx.fetchall(
        "SELECT * FROM chronology WHERE person_id = %(person)s AND recorded_at <= %(known_at)s "
        f"AND effective_at >= %(happened)s {until}AND (record_id = %(record)s "
        "OR substr(causation_id, 1, %(length)s) = %(prefix)s "
        f"OR event_type IN ({', '.join(f'%({name})s' for name in names)})) "
        f"ORDER BY effective_at, position LIMIT {FOLLOWED_AT_MOST}",
        {"person": incident["person_id"], "known_at": known_at, "happened": happened,
         "closed": instant(closed) if closed else None, "record": record,
         "prefix": f"{record}/", "length": len(record) + 1, **names},
    )  # fmt: skip


def _content(row: Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {key: value for key, value in row.items()
            if key not in STATE_TIMES and key != "aggregate_state"}  # fmt: skip
