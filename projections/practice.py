"""practice: who wrote what about an outcome that relies on a technique, who is signed off in
which technique and when, and what was written by writers who are not staff; enough to find, at
any moment as known at any time, plan changes and evidence notes written without a current
sign-off in the technique they rely on.

The technique a write relies on is its outcome's pathway stage under way, if that stage names
one, or else the outcome's; it is taken as the plan stood in log order when the write was
recorded (a late entry to the plan does not re-attribute writes recorded before it).
"""

from __future__ import annotations

import json
from typing import Any, cast

from domain.catalogue import ALL_EVENTS, record_type
from domain.commands import STAFF
from domain.envelope import Role
from domain.evidence_note import EvidenceNote
from domain.pathway import SetbackResponse
from domain.staff import StaffMember
from domain.support_plan import SupportPlan
from domain.timeline import is_correction
from projections.base import (
    Batch,
    Event,
    Index,
    ReadModel,
    Row,
    Table,
    Tables,
    Transaction,
    handles,
    one_page,
)
from projections.event_records import event_type
from projections.states import parameters

WRITES = ("position", "tenant_id", "service_id", "person_id", "record_type", "record_id",
          "version", "event_type", "outcome_id", "technique", "writer_id", "writer_record_id",
          "writer_name", "writer_role", "effective_at", "effective_on", "recorded_at")  # fmt: skip
SIGN_OFFS = ("record_id", "version", "tenant_id", "technique", "signed_off_on", "refresher_due",
             "recorded_at")  # fmt: skip
STAFF_ROLES = tuple(sorted(role.value for role in STAFF))


class Practice(ReadModel):
    name = "practice"
    version = 1
    tables = (
        Table("practice_outcomes", """plan_id TEXT NOT NULL, outcome_id TEXT NOT NULL,
              person_id TEXT, technique TEXT, current_stage TEXT, stages TEXT NOT NULL""",
              primary_key="plan_id, outcome_id"),
        Table("practice_writes", """position BIGINT NOT NULL, tenant_id TEXT NOT NULL,
              service_id TEXT, person_id TEXT, record_type TEXT NOT NULL,
              record_id TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL,
              outcome_id TEXT, technique TEXT, writer_id TEXT NOT NULL,
              writer_record_id TEXT NOT NULL, writer_name TEXT NOT NULL, writer_role TEXT NOT NULL,
              effective_at {timestamp} NOT NULL, effective_on TEXT NOT NULL,
              recorded_at {timestamp} NOT NULL, voided_at {timestamp}""",
              primary_key="position",
              indexes=(Index("by_service", "tenant_id, service_id, writer_role, effective_at"),
                       Index("by_record", "record_id, version"),
                       # a service's writes by writer, as findings group them, so a page of
                       # findings stops at its last group (created where missing: no rebuild)
                       Index("by_writer", "tenant_id, service_id, writer_id, writer_name, "
                                          "technique"))),
        Table("practice_sign_offs", """record_id TEXT NOT NULL, version INTEGER NOT NULL,
              tenant_id TEXT NOT NULL, technique TEXT NOT NULL,
              signed_off_on TEXT NOT NULL, refresher_due TEXT NOT NULL,
              recorded_at {timestamp} NOT NULL, voided_at {timestamp}""",
              primary_key="record_id, version",
              indexes=(Index("by_staff", "record_id, technique"),)),
    )  # fmt: skip

    @handles(*ALL_EVENTS)
    def _every_event(self, *_: Any) -> None:
        """Any record's fact may be written by an integration client (see `apply`)."""

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        outcomes = _Outcomes(tx, tables["practice_outcomes"], batch)
        writes: list[tuple[Any, ...]] = []
        sign_offs: list[tuple[Any, ...]] = []
        voided: list[Row] = []
        for position, event in cast(list[tuple[int, Any]], batch):
            if is_correction(event):
                voided.append({"at": event.timestamp, "record": str(event.originator_id),
                               "version": event.voided_version})  # fmt: skip
                continue
            outcome_id = outcomes.follow(event)
            if _is(event, StaffMember, "CompetencySignedOff"):
                sign_offs.append(_sign_off(event))
            role = event.envelope.actor.role
            technique = outcomes.relied_on(event, outcome_id) if role in STAFF else None
            if technique is not None or role is Role.INTEGRATION_CLIENT:
                writes.append(_write(position, event, outcome_id, technique, outcomes))
        outcomes.save()
        tx.copy(tables["practice_writes"], WRITES, writes)
        tx.copy(tables["practice_sign_offs"], SIGN_OFFS, sign_offs)
        for table in ("practice_writes", "practice_sign_offs"):
            tx.executemany(f"UPDATE {tables[table]} SET voided_at = %(at)s "
                           "WHERE record_id = %(record)s AND version = %(version)s",
                           voided)  # fmt: skip


class _Outcomes:
    """Each outcome's technique and its stages' (and which stage is under way), for the plans
    this batch touches: read once, followed through the batch, saved once."""

    def __init__(self, tx: Transaction, table: str, batch: Batch) -> None:
        self._tx, self._table = tx, table
        self._plans = {_plan_of(event) for _, event in batch} - {None}
        self._rows: dict[tuple[str, str], Row] = {}
        self._changed: set[tuple[str, str]] = set()
        plans = sorted(p for p in self._plans if p is not None)
        for start in range(0, len(plans), 500):
            names = {f"p{n}": plan for n, plan in enumerate(plans[start : start + 500])}
            for row in tx.fetchall(f"SELECT * FROM {table} WHERE plan_id IN "
                                   f"({', '.join(f'%({n})s' for n in names)})", names):  # fmt: skip
                self._rows[(row["plan_id"], row["outcome_id"])] = row

    def follow(self, event: Any) -> str | None:
        """Follows a plan's event; returns the outcome the event is about, if any."""
        if _is(event, EvidenceNote, "Recorded"):
            return str(event.observation.outcome_id)
        if record_type(event).aggregate is not SupportPlan:
            return None
        plan_id = str(event.originator_id)
        if hasattr(event, "person_id") and event.originator_version == 1:
            self._row(plan_id, "")["person_id"] = event.person_id  # the plan's own row
            self._changed.add((plan_id, ""))
        outcome_id = getattr(event, "outcome_id", None)
        if outcome_id is None:
            return None
        row = self._row(plan_id, outcome_id)
        stages = json.loads(row["stages"])
        name = type(event).__name__
        if name == "OutcomeAgreed":
            row["technique"] = event.terms.get("technique")
        elif name == "OutcomeRevised" and "technique" in event.changes:
            row["technique"] = event.changes["technique"]
        elif name == "PathwayStageAdded":
            stage = event.stage
            stages[stage.stage_id] = getattr(stage, "technique", None)
        elif name == "StageStarted":
            row["current_stage"] = event.stage_id
        elif name == "StageCompleted":
            row["current_stage"] = None
        elif name == "StageSteppedBack":
            row["current_stage"] = event.to_stage_id
        elif name == "SetbackRecorded" and event.response == SetbackResponse.REPEAT_STAGE:
            row["current_stage"] = event.stage_id
        row["stages"] = json.dumps(stages)
        self._changed.add((plan_id, outcome_id))
        return str(outcome_id)

    def relied_on(self, event: Event, outcome_id: str | None) -> str | None:
        """The technique the outcome relies on now: its stage under way's, or its own."""
        plan_id = _plan_of(event)
        if outcome_id is None or plan_id is None:
            return None
        row = self._rows.get((plan_id, outcome_id))
        if row is None:
            return None
        stage = json.loads(row["stages"]).get(row["current_stage"] or "")
        return stage or row["technique"]

    def person_of(self, event: Any) -> str | None:
        if _is(event, EvidenceNote, "Recorded"):
            return str(event.person_id)
        plan_id = _plan_of(event)
        row = self._rows.get((plan_id, "")) if plan_id else None
        return row["person_id"] if row else getattr(event, "person_id", None)

    def save(self) -> None:
        rows = [self._rows[key] for key in sorted(self._changed)]
        self._tx.executemany(
            f"INSERT INTO {self._table} (plan_id, outcome_id, person_id, technique, "
            "current_stage, stages) VALUES (%(plan_id)s, %(outcome_id)s, %(person_id)s, "
            "%(technique)s, %(current_stage)s, %(stages)s) ON CONFLICT (plan_id, outcome_id) "
            "DO UPDATE SET person_id = excluded.person_id, technique = excluded.technique, "
            "current_stage = excluded.current_stage, stages = excluded.stages",
            rows,
        )

    def _row(self, plan_id: str, outcome_id: str) -> Row:
        key = (plan_id, outcome_id)
        if key not in self._rows:
            self._rows[key] = {"plan_id": plan_id, "outcome_id": outcome_id,
                               "person_id": None, "technique": None, "current_stage": None,
                               "stages": "{}"}  # fmt: skip
        return self._rows[key]


def _is(event: Any, aggregate: type, name: str) -> bool:
    """Whether the event is the one of that kind of record by that name."""
    return type(event).__name__ == name and record_type(event).aggregate is aggregate


def _plan_of(event: Any) -> str | None:
    """The plan an event is about: its own record's, or for an evidence note its person's."""
    if _is(event, EvidenceNote, "Recorded"):
        return str(SupportPlan.create_id(event.person_id))
    if record_type(event).aggregate is SupportPlan:
        return str(event.originator_id)
    return None


def _write(
    position: int, event: Any, outcome_id: str | None, technique: str | None,
    outcomes: _Outcomes,
) -> tuple[Any, ...]:  # fmt: skip
    envelope = event.envelope
    actor = envelope.actor
    return (position, envelope.tenant_id, envelope.service_id, outcomes.person_of(event),
            record_type(event).name, str(event.originator_id), event.originator_version,
            event_type(event), outcome_id, technique, actor.id,
            str(StaffMember.create_id(envelope.tenant_id, actor.id)), actor.name, actor.role.value,
            envelope.effective_at, envelope.effective_at.date().isoformat(),
            event.timestamp)  # fmt: skip


def _sign_off(event: Any) -> tuple[Any, ...]:
    sign_off = event.sign_off
    return (str(event.originator_id), event.originator_version, event.envelope.tenant_id,
            sign_off.technique, sign_off.signed_off_on.isoformat(),
            sign_off.refresher_due.isoformat(), event.timestamp)  # fmt: skip


# -- queries ---------------------------------------------------------------------------------

SHOWN_AT_MOST = 20  # records named per finding, latest first (the count says how many in all)
_WRITTEN = (
    "w.tenant_id = %(tenant)s AND w.service_id = %(service)s AND w.effective_at <= %(as_of)s "
    "AND w.recorded_at <= %(known_at)s AND (w.voided_at IS NULL OR w.voided_at > %(known_at)s)"
)
UNSIGNED = (
    f"{_WRITTEN} AND w.technique IS NOT NULL AND w.writer_role IN "
    f"({', '.join(repr(role) for role in STAFF_ROLES)}) AND NOT EXISTS ("
    "SELECT 1 FROM practice_sign_offs s WHERE s.record_id = w.writer_record_id "
    "AND s.technique = w.technique AND s.signed_off_on <= w.effective_on "
    "AND w.effective_on <= s.refresher_due AND s.recorded_at <= %(known_at)s "
    "AND (s.voided_at IS NULL OR s.voided_at > %(known_at)s))"
)
_NOT_STAFF = f"{_WRITTEN} AND w.writer_role = '{Role.INTEGRATION_CLIENT.value}'"


def unsigned_practice(
    tx: Transaction, tenant_id: str, service_id: str, moment: Any,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    """Per writer and technique: the plan changes and evidence notes of the service they wrote,
    by the moment, relying on a technique they held no current sign-off in that day; only
    `limit` of them after the first `offset`, if given."""
    return _grouped(tx, _UNSIGNED_BY, _asked(tenant_id, service_id, moment), limit, offset)


def count_unsigned_practice(tx: Transaction, tenant_id: str, service_id: str, moment: Any) -> int:
    """How many `unsigned_practice` finds."""
    return _groups_counted(tx, _UNSIGNED_BY, _asked(tenant_id, service_id, moment))


def written_by_non_staff(
    tx: Transaction, tenant_id: str, service_id: str, moment: Any,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    """Per integration client: what it wrote in the service by the moment; only `limit` of
    them after the first `offset`, if given."""
    return _grouped(tx, _NOT_STAFF_BY, _asked(tenant_id, service_id, moment), limit, offset)


def count_written_by_non_staff(
    tx: Transaction, tenant_id: str, service_id: str, moment: Any
) -> int:
    """How many `written_by_non_staff` finds."""
    return _groups_counted(tx, _NOT_STAFF_BY, _asked(tenant_id, service_id, moment))


# The writes and how they are grouped, in the order of the groups (the `by_writer` index).
_UNSIGNED_BY = (UNSIGNED, "w.writer_id, w.writer_name, w.technique")
_NOT_STAFF_BY = (_NOT_STAFF, "w.writer_id, w.writer_name")


def _asked(tenant_id: str, service_id: str, moment: Any) -> dict[str, Any]:
    return {"tenant": tenant_id, "service": service_id, **parameters(moment)}


def _groups(grouping: tuple[str, str]) -> str:
    where, group = grouping
    return (f"SELECT {group}, COUNT(*) AS records FROM practice_writes w "
            f"WHERE {where} GROUP BY {group}")  # fmt: skip


def _groups_counted(tx: Transaction, grouping: tuple[str, str], params: dict[str, Any]) -> int:
    found = tx.fetchone(f"SELECT COUNT(*) AS found FROM ({_groups(grouping)}) g", params)
    return int(found["found"]) if found else 0


def _grouped(
    tx: Transaction, grouping: tuple[str, str], params: dict[str, Any], limit: int | None,
    offset: int,
) -> list[Row]:  # fmt: skip
    """The groups in their order, each with its latest records: read for the groups of the
    page only."""
    where, group = grouping
    page, paging = one_page(limit, offset)
    groups = tx.fetchall(f"{_groups(grouping)} ORDER BY {group}" + page, {**params, **paging})
    for found in groups:
        technique = "AND w.technique = %(technique)s" if "technique" in found else ""
        found["latest"] = tx.fetchall(
            f"SELECT w.* FROM practice_writes w WHERE {where} AND w.writer_id = %(writer)s "
            f"{technique} ORDER BY w.effective_at DESC, w.position DESC LIMIT {SHOWN_AT_MOST}",
            {**params, "writer": found["writer_id"], "technique": found.get("technique")},
        )
    return groups
