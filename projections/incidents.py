"""incidents: every incident as it stands and every state it has been in, so the incidents of a
person or a service, and the practice changes still open, can be read at any moment as
recorded at any time."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from domain.incident import OPEN, Incident, PracticeChangeState
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
from projections.people import members
from projections.states import Moment, latest_states, parameters, states_table

COLUMNS = """incident_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    status TEXT NOT NULL,
    occurred_at {timestamp} NOT NULL,
    harm_level TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at {timestamp} NOT NULL"""
STATE_COLUMNS = ("incident_id", "person_id", "tenant_id", "status", "occurred_at", "harm_level",
                 "document", "version", "updated_at")  # fmt: skip


class Incidents(RecordTable):
    name = "incidents"
    version = 2
    aggregate = Incident
    key = "incident_id"
    states = "incident_states"
    state_columns = STATE_COLUMNS
    marks = "incident_marks"
    tables = (
        Table("incidents", f"{COLUMNS}, aggregate_state {{blob}} NOT NULL",
              primary_key="incident_id",
              indexes=(Index("by_person", "person_id, occurred_at"),
                       Index("by_tenant", "tenant_id, status"))),
        states_table("incident_states", "incident_id", COLUMNS,
                     Index("by_person", "person_id, effective_from")),
        marks_table("incident_marks"),
    )  # fmt: skip

    def marks_of(self, incident: Incident) -> list[Mark]:
        """Open while not closed; each practice change open until done, due by its review
        date."""
        marks = [Mark("practice_change_open", change.change_id, change.review_by, change.what)
                 for change in incident.practice_changes.values()
                 if change.state == PracticeChangeState.OPEN]  # fmt: skip
        if incident.status == OPEN:
            marks.append(Mark("incident_open", detail=incident.report.what_happened))
        return marks

    def row(self, incident: Incident, first_position: int, last_event: Event) -> Row:
        return {
            "incident_id": str(incident.id), "person_id": incident.person_id,
            "tenant_id": incident.tenant_id, "status": incident.status,
            "occurred_at": incident.occurred_at, "harm_level": str(incident.report.harm_level),
            "document": document_text(document(incident)), "version": incident.version,
            "updated_at": incident.modified_on,
        }  # fmt: skip


def document(incident: Incident) -> dict[str, Any]:
    return {
        "report": jsonable(incident.report),
        "analysis": jsonable(incident.analysis),
        "learning": list(incident.learning),
        "practiceChanges": [jsonable(change) for change in incident.practice_changes.values()],
        "personViews": incident.person_views,
        "wellbeingImpact": incident.wellbeing_impact,
        "shared": [jsonable(shared) for shared in incident.shared],
        "restrictionIds": list(incident.restriction_ids),
        "closedAt": jsonable(incident.closed_at),
        "noGuidanceChangeReason": incident.no_guidance_change_reason,
    }


# -- queries ---------------------------------------------------------------------------------


def _at(moment: Moment) -> str:
    """The incidents as they stood at the moment, as recorded then (alias `i`)."""
    if moment.now:
        return f"(SELECT {', '.join(STATE_COLUMNS)} FROM incidents) i"
    return f"({latest_states('incident_states', 'incident_id')}) i"


def incident_at(tx: Transaction, incident_id: str, moment: Moment) -> Row | None:
    return tx.fetchone(f"SELECT i.* FROM {_at(moment)} WHERE i.incident_id = %(id)s",
                       {"id": incident_id, **parameters(moment)})  # fmt: skip


def incidents_of(
    tx: Transaction, tenant_id: str, moment: Moment, *, person_id: str | None = None,
    service_id: str | None = None, status: str | None = None,
    occurred_from: datetime | None = None, occurred_to: datetime | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    """The incidents of a person, or of the people a service supported at the moment, that
    happened in the window (of one status, if given), as they stood at the moment; only
    `limit` of them after the first `offset`, if given."""
    where = ["i.tenant_id = %(tenant)s"]
    if person_id is not None:
        where.append("i.person_id = %(person)s")
    if service_id is not None:
        where.append(f"i.person_id IN ({members(moment)})")
    if status is not None:
        where.append("i.status = %(status)s")
    if occurred_from is not None:
        where.append("i.occurred_at >= %(from)s")
    if occurred_to is not None:
        where.append("i.occurred_at <= %(to)s")
    page, paging = one_page(limit, offset)
    return tx.fetchall(
        f"SELECT i.* FROM {_at(moment)} WHERE {' AND '.join(where)} "
        "ORDER BY i.occurred_at, i.incident_id" + page,
        {"tenant": tenant_id, "person": person_id, "service": service_id, "status": status,
         "from": occurred_from, "to": occurred_to, **parameters(moment), **paging},
    )  # fmt: skip


def open_practice_changes_of(
    tx: Transaction, tenant_id: str, service_id: str, moment: Moment,
    limit: int | None = None, offset: int = 0,
) -> list[tuple[Row, dict[str, Any]]]:  # fmt: skip
    """What `open_practice_changes` finds in the incidents of the people the service supported
    at the moment, in its order, picked out of each incident's document by the database: only
    `limit` of them after the first `offset`, if given, are read."""

    def field(name: str) -> str:
        return json_field(tx.dialect, "c.value", name)

    page, paging = one_page(limit, offset)
    text = "CAST(c.value AS TEXT)" if tx.dialect == "postgres" else "c.value"
    # Past their review date first, longest past first, then by review date: that is the order
    # of review dates. Ties keep the order of `incidents_of`, then each document's. No index
    # holds an order kept in documents: the database sorts the service's open changes, and
    # only the page leaves it.
    found = tx.fetchall(
        f"SELECT i.*, {text} AS practice_change FROM {_at(moment)} "
        f"CROSS JOIN {json_elements(tx.dialect, 'i.document', 'practiceChanges', 'c')} "
        f"WHERE i.tenant_id = %(tenant)s AND i.person_id IN ({members(moment)}) "
        f"AND {field('state')} = %(open)s ORDER BY {field('reviewBy')}, {field('changeId')}, "
        "i.occurred_at, i.incident_id, c.key" + page,
        {"tenant": tenant_id, "service": service_id, "open": PracticeChangeState.OPEN.value,
         **parameters(moment), **paging},
    )  # fmt: skip
    return [(row, json.loads(row.pop("practice_change"))) for row in found]


def open_practice_changes(rows: list[Row], moment: Moment) -> list[tuple[Row, dict[str, Any]]]:
    """The practice changes of these incidents still open at the moment, those past their
    review date first (longest past first), then by review date."""
    today = moment.as_of.date().isoformat()
    found = [(row, change) for row in rows
             for change in json.loads(row["document"])["practiceChanges"]
             if change["state"] == PracticeChangeState.OPEN]  # fmt: skip
    return sorted(found, key=lambda pair: (pair[1]["reviewBy"] >= today,
                                           pair[1]["reviewBy"], pair[1]["changeId"]))  # fmt: skip
