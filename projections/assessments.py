"""assessments: each strengths-led assessment as it now stands."""

from __future__ import annotations

from typing import Any

from domain.assessment import Assessment, Section
from projections.base import Event, FoldingProjection, Row, Transaction, blob_type
from projections.event_records import camel, dumps, jsonable


class Assessments(FoldingProjection):
    name = "assessments"
    tables = ("assessments",)
    aggregate_type = Assessment
    table = "assessments"
    key = "assessment_id"

    def create_tables(self, tx: Transaction) -> None:
        tx.execute(
            f"""
            CREATE TABLE IF NOT EXISTS assessments (
                assessment_id TEXT PRIMARY KEY,
                person_id TEXT NOT NULL,
                tenant_id TEXT NOT NULL,
                status TEXT NOT NULL,
                document TEXT NOT NULL,
                version INTEGER NOT NULL,
                started_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                aggregate_state {blob_type(tx)} NOT NULL
            )
            """
        )
        tx.execute("CREATE INDEX IF NOT EXISTS assessments_by_person ON assessments (person_id)")

    @staticmethod
    def document(assessment: Assessment) -> dict[str, Any]:
        sections = {camel(s.value): assessment.sections.get(s.value, []) for s in Section}
        return {
            "personId": assessment.person_id,
            "status": "completed" if assessment.completed else "in_progress",
            **sections,
            "contribution": jsonable(assessment.contribution),
        }

    def write(
        self,
        tx: Transaction,
        event: Event,
        position: int,
        after: Assessment,
        before: dict[str, Any],
    ) -> None:
        document = self.document(after)
        tx.execute(
            """
            INSERT INTO assessments (assessment_id, person_id, tenant_id, status, document,
                version, started_at, updated_at, aggregate_state)
            VALUES (%(id)s, %(person)s, %(tenant)s, %(status)s, %(document)s, %(version)s,
                %(at)s, %(at)s, %(state)s)
            ON CONFLICT (assessment_id) DO UPDATE SET
                status = excluded.status, document = excluded.document,
                version = excluded.version, updated_at = excluded.updated_at,
                aggregate_state = excluded.aggregate_state
            """,
            {
                "id": str(after.id),
                "person": after.person_id,
                "tenant": after.tenant_id,
                "status": document["status"],
                "document": dumps(document),
                "version": after.version,
                "at": event.timestamp.isoformat(),
                "state": self.codec.encode(after),
            },
        )


def get_assessment(tx: Transaction, assessment_id: str) -> Row | None:
    return tx.fetchone(
        "SELECT * FROM assessments WHERE assessment_id = %(id)s", {"id": assessment_id}
    )
