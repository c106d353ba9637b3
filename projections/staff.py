"""staff: every member of staff as their record stands and every state it has been in, so a
service's workforce (who worked there, their induction, supervision and sign-offs) can be read
at any moment as recorded at any time."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.staff import WORKING, StaffMember
from projections.base import (
    Event,
    Index,
    Row,
    Table,
    Transaction,
    json_elements,
    json_field,
    one_page,
)
from projections.event_records import document_text, jsonable
from projections.folding import RecordTable
from projections.marks import Mark, marks_table
from projections.states import Moment, latest_states, parameters, states_table

COLUMNS = """staff_record_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    team_id TEXT,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at {timestamp} NOT NULL"""
STATE_COLUMNS = ("staff_record_id", "staff_id", "tenant_id", "service_id", "team_id", "name",
                 "role", "status", "document", "version", "updated_at")  # fmt: skip


class Staff(RecordTable):
    name = "staff"
    version = 2
    aggregate = StaffMember
    key = "staff_record_id"
    states = "staff_states"
    state_columns = STATE_COLUMNS
    marks = "staff_marks"
    tables = (
        Table("staff", f"{COLUMNS}, aggregate_state {{blob}} NOT NULL",
              primary_key="staff_record_id",
              indexes=(Index("by_subject", "tenant_id, staff_id"),
                       # A service's workforce in its order, so a page reads only its rows;
                       # created at start-up where missing, as any index added (no rebuild).
                       Index("workforce", "tenant_id, service_id, status, team_id, name, "
                                          "staff_id"))),
        states_table("staff_states", "staff_record_id", COLUMNS,
                     Index("by_service", "tenant_id, service_id, effective_from"),
                     Index("by_subject", "tenant_id, staff_id, effective_from")),
        marks_table("staff_marks"),
    )  # fmt: skip

    def marks_of(self, staff: StaffMember) -> list[Mark]:
        """While they work here, in their service and team: working, induction incomplete,
        supervision next due, and each sign-off until its refresher falls due."""
        if staff.status != WORKING:
            return []

        def mark(measure: str, item: str = "", on: date | None = None) -> Mark:
            return Mark(measure, item, on, staff.name, staff.service_id, staff.team_id)

        marks = [mark("staff_working")]
        if staff.induction_completed_on is None:
            marks.append(mark("induction_incomplete"))
        due = staff.supervision_due()
        if due is not None:
            marks.append(mark("supervision_due", on=due))
        marks += [mark("signed_off", technique, sign_off.refresher_due)
                  for technique, sign_off in staff.sign_offs.items()]  # fmt: skip
        return marks

    def person_of(self, staff: StaffMember) -> None:
        return None  # a record about the service: its marks say where they worked

    def row(self, staff: StaffMember, first_position: int, last_event: Event) -> Row:
        return {
            "staff_record_id": str(staff.id), "staff_id": staff.subject,
            "tenant_id": staff.tenant_id, "service_id": staff.service_id,
            "team_id": staff.team_id, "name": staff.name, "role": str(staff.role),
            "status": staff.status, "document": document_text(document(staff)),
            "version": staff.version, "updated_at": staff.modified_on,
        }  # fmt: skip


def document(staff: StaffMember) -> dict[str, Any]:
    return {
        "startedOn": jsonable(staff.started_on),
        "leftOn": jsonable(staff.left_on),
        "induction": [jsonable(entry) for entry in staff.induction],
        "inductionCompletedOn": jsonable(staff.induction_completed_on),
        "supervisions": [jsonable(held) for held in staff.supervisions],
        "supervisionDue": jsonable(staff.supervision_due()),
        "signOffs": [jsonable(sign_off) for sign_off in staff.sign_offs.values()],
    }


# -- queries ---------------------------------------------------------------------------------


def _at(moment: Moment) -> str:
    """The staff as they stood at the moment, as recorded then (alias `s`)."""
    if moment.now:
        return f"(SELECT {', '.join(STATE_COLUMNS)} FROM staff) s"
    return f"({latest_states('staff_states', 'staff_record_id')}) s"


def staff_member(tx: Transaction, tenant_id: str, staff_id: str, moment: Moment) -> Row | None:
    return tx.fetchone(
        f"SELECT s.* FROM {_at(moment)} WHERE s.tenant_id = %(tenant)s AND s.staff_id = %(staff)s",
        {"tenant": tenant_id, "staff": staff_id, **parameters(moment)},
    )


def staff_members(
    tx: Transaction, tenant_id: str, staff_ids: list[str], moment: Moment
) -> dict[str, Row]:
    """Several members of staff at the moment, by staff id (those not on the staff then are
    left out)."""
    if not staff_ids:
        return {}
    names = {f"s{n}": staff_id for n, staff_id in enumerate(staff_ids)}
    rows = tx.fetchall(
        f"SELECT s.* FROM {_at(moment)} WHERE s.tenant_id = %(tenant)s "
        f"AND s.staff_id IN ({', '.join(f'%({name})s' for name in names)})",
        {"tenant": tenant_id, **names, **parameters(moment)},
    )
    return {row["staff_id"]: row for row in rows}


def workforce(
    tx: Transaction, tenant_id: str, service_id: str, team_id: str | None, moment: Moment,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    """Who worked in the service (and team, if given) at the moment, as recorded then, by team,
    then name; only `limit` of them after the first `offset`, if given."""
    team = "AND s.team_id = %(team)s " if team_id is not None else ""
    page, paging = one_page(limit, offset)
    return tx.fetchall(
        f"SELECT s.* FROM {_at(moment)} WHERE {_WORKING_THERE} {team}"
        f"ORDER BY {_WORKFORCE_ORDER}" + page,
        {**_asked(tenant_id, service_id, moment), "team": team_id, **paging},
    )


def follow_ups_not_honoured(
    tx: Transaction, tenant_id: str, service_id: str, moment: Moment,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    """Supervision follow-ups agreed at induction with staff working in the service at the
    moment, whose date passed before the moment's day with no supervision held from the day of
    the induction entry to it: each the member of staff as they stood then, with the date
    agreed (`follow_up_on`), in the order of `workforce`, then of their induction; only `limit`
    of them after the first `offset`, if given."""
    agreed = json_field(tx.dialect, "f.value", "followUpOn")
    page, paging = one_page(limit, offset)
    return tx.fetchall(
        f"SELECT s.*, {agreed} AS follow_up_on {_follow_ups_missed(tx.dialect, moment)} "
        f"ORDER BY {_WORKFORCE_ORDER}, f.key" + page,
        {**_asked(tenant_id, service_id, moment), **paging},
    )


def count_follow_ups_not_honoured(
    tx: Transaction, tenant_id: str, service_id: str, moment: Moment
) -> int:
    """How many `follow_ups_not_honoured` finds."""
    found = tx.fetchone(f"SELECT COUNT(*) AS found {_follow_ups_missed(tx.dialect, moment)}",
                        _asked(tenant_id, service_id, moment))  # fmt: skip
    return int(found["found"]) if found else 0


_WORKING_THERE = (
    "s.tenant_id = %(tenant)s AND s.service_id = %(service)s AND s.status = %(working)s"
)
_WORKFORCE_ORDER = "s.team_id, s.name, s.staff_id"  # the order of the `workforce` index


def _asked(tenant_id: str, service_id: str, moment: Moment) -> dict[str, Any]:
    """The parameters of a read of the service's workforce at the moment."""
    return {"tenant": tenant_id, "service": service_id, "working": WORKING,
            "today": moment.as_of.date().isoformat(), **parameters(moment)}  # fmt: skip


def _follow_ups_missed(dialect: str, moment: Moment) -> str:
    """SQL from FROM on: each induction entry (alias `f`) of the staff working in the service
    at the moment (alias `s`) whose follow-up date passed with no supervision held from the
    entry's day to it (the dates are ISO text: text order is date order)."""
    agreed, since = (
        json_field(dialect, "f.value", "followUpOn"),
        json_field(dialect, "f.value", "on"),
    )
    held = json_field(dialect, "h.value", "heldOn")
    return (
        f"FROM {_at(moment)} CROSS JOIN {json_elements(dialect, 's.document', 'induction', 'f')} "
        f"WHERE {_WORKING_THERE} AND {agreed} < %(today)s AND NOT EXISTS (SELECT 1 "
        f"FROM {json_elements(dialect, 's.document', 'supervisions', 'h')} "
        f"WHERE {held} BETWEEN {since} AND {agreed})"
    )
