"""assessments: each strengths-led assessment as it now stands, and every state it has been in."""

from __future__ import annotations

from typing import Any

from domain.assessment import Assessment, Section
from projections.base import Event, Index, Row, Table, Transaction
from projections.event_records import camel, document_text, jsonable
from projections.folding import RecordTable
from projections.states import Moment, state_at, states_table


class Assessments(RecordTable):
    name = "assessments"
    version = 3
    aggregate = Assessment
    key = "assessment_id"
    keep_on_update = ("started_at",)
    states = "assessment_states"
    state_columns = ("assessment_id", "person_id", "tenant_id", "status", "document", "version",
                     "updated_at")  # fmt: skip
    tables = (
        Table(
            "assessments",
            """assessment_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            status TEXT NOT NULL,
            document TEXT NOT NULL,
            version INTEGER NOT NULL,
            started_at {timestamp} NOT NULL,
            updated_at {timestamp} NOT NULL,
            aggregate_state {blob} NOT NULL""",
            primary_key="assessment_id",
            indexes=(Index("by_person", "person_id"),),
        ),
        states_table(
            "assessment_states",
            "assessment_id",
            """assessment_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            status TEXT NOT NULL,
            document TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at {timestamp} NOT NULL""",
        ),
    )

    def row(self, assessment: Assessment, first_position: int, last_event: Event) -> Row:
        doc = document(assessment)
        return {
            "assessment_id": str(assessment.id),
            "person_id": assessment.person_id,
            "tenant_id": assessment.tenant_id,
            "status": doc["status"],
            "document": document_text(doc),
            "version": assessment.version,
            "started_at": assessment.created_on,
            "updated_at": assessment.modified_on,
        }


def document(assessment: Assessment) -> dict[str, Any]:
    sections = {camel(s.value): assessment.sections.get(s.value, []) for s in Section}
    return {
        "personId": assessment.person_id,
        "status": "completed" if assessment.completed else "in_progress",
        **sections,
        "contribution": jsonable(assessment.contribution),
    }


def get_assessment(tx: Transaction, assessment_id: str, moment: Moment) -> Row | None:
    if not moment.now:
        return state_at(tx, "assessment_states", "assessment_id", assessment_id, moment)
    return tx.fetchone(
        "SELECT * FROM assessments WHERE assessment_id = %(id)s", {"id": assessment_id}
    )
