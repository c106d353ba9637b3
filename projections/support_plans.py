"""current_plans and plan_versions: each living plan as it stands, and every change to it.

One projection keeps both tables, so a version row and the plan it describes always agree.
"""

from __future__ import annotations

import json
from typing import Any

from domain.support_plan import Outcome, SupportPlan
from projections.base import Event, FoldingProjection, Row, Transaction, blob_type
from projections.event_records import dumps, event_record, jsonable
from projections.plan_changes import diff_documents, summarise


class SupportPlans(FoldingProjection):
    name = "support_plans"
    tables = ("current_plans", "plan_versions")
    aggregate_type = SupportPlan
    table = "current_plans"
    key = "plan_id"

    def create_tables(self, tx: Transaction) -> None:
        tx.execute(
            f"""
            CREATE TABLE IF NOT EXISTS current_plans (
                plan_id TEXT PRIMARY KEY,
                person_id TEXT NOT NULL UNIQUE,
                tenant_id TEXT NOT NULL,
                service_id TEXT,
                status TEXT NOT NULL,
                document TEXT NOT NULL,
                version INTEGER NOT NULL,
                drafted_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                aggregate_state {blob_type(tx)} NOT NULL
            )
            """
        )
        tx.execute(
            """
            CREATE TABLE IF NOT EXISTS plan_versions (
                plan_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                person_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                event_type TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                effective_at TEXT NOT NULL,
                actor_id TEXT NOT NULL,
                actor_name TEXT NOT NULL,
                actor_role TEXT NOT NULL,
                reason TEXT,
                summary TEXT NOT NULL,
                diff TEXT NOT NULL,
                PRIMARY KEY (plan_id, version)
            )
            """
        )
        tx.execute(
            "CREATE INDEX IF NOT EXISTS plan_versions_by_person "
            "ON plan_versions (person_id, version)"
        )

    @staticmethod
    def document(plan: SupportPlan) -> dict[str, Any]:
        return {
            "personId": plan.person_id,
            "assessmentId": plan.assessment_id,
            "status": "agreed" if plan.agreed else "draft",
            "assessedStrengths": list(plan.assessed_strengths),
            "outcomes": {key: _outcome_document(o) for key, o in plan.outcomes.items()},
            "staffGuidance": plan.staff_guidance,
            "supportHoursPerWeek": plan.support_hours_per_week,
            "nextReviewDate": jsonable(plan.next_review_date),
        }

    def write(
        self,
        tx: Transaction,
        event: Event,
        position: int,
        after: SupportPlan,
        before: dict[str, Any],
    ) -> None:
        document = self.document(after)
        record = event_record(event, position)
        self._write_current(tx, after, document, record)
        tx.execute(
            """
            INSERT INTO plan_versions (plan_id, version, person_id, position, event_type,
                recorded_at, effective_at, actor_id, actor_name, actor_role, reason, summary, diff)
            VALUES (%(stream_id)s, %(version)s, %(person_id)s, %(position)s, %(event_type)s,
                %(recorded_at)s, %(effective_at)s, %(actor_id)s, %(actor_name)s, %(actor_role)s,
                %(reason)s, %(summary)s, %(diff)s)
            """,
            record
            | {
                "person_id": after.person_id,
                "summary": summarise(event, before, document),
                "diff": json.dumps(diff_documents(before, document), ensure_ascii=False),
            },
        )

    def _write_current(
        self, tx: Transaction, plan: SupportPlan, document: dict[str, Any], record: Row
    ) -> None:
        tx.execute(
            """
            INSERT INTO current_plans (plan_id, person_id, tenant_id, service_id, status,
                document, version, drafted_at, updated_at, aggregate_state)
            VALUES (%(id)s, %(person)s, %(tenant)s, %(service)s, %(status)s, %(document)s,
                %(version)s, %(at)s, %(at)s, %(state)s)
            ON CONFLICT (plan_id) DO UPDATE SET
                service_id = excluded.service_id, status = excluded.status,
                document = excluded.document, version = excluded.version,
                updated_at = excluded.updated_at, aggregate_state = excluded.aggregate_state
            """,
            {
                "id": str(plan.id),
                "person": plan.person_id,
                "tenant": plan.tenant_id,
                "service": record["service_id"],
                "status": document["status"],
                "document": dumps(document),
                "version": plan.version,
                "at": record["recorded_at"],
                "state": self.codec.encode(plan),
            },
        )


def _outcome_document(outcome: Outcome) -> dict[str, Any]:
    return {
        "title": outcome.title,
        "baseline": outcome.baseline,
        "target": outcome.target,
        "evidencedBy": outcome.evidenced_by,
        "buildsOn": list(outcome.builds_on),
        "status": "retired" if outcome.retired else "active",
        "steps": {step.step_id: jsonable(step) for step in outcome.steps},
    }


def get_current_plan(tx: Transaction, person_id: str) -> Row | None:
    return tx.fetchone("SELECT * FROM current_plans WHERE person_id = %(id)s", {"id": person_id})


def plan_versions_page(tx: Transaction, person_id: str, after: int, first: int) -> list[Row]:
    """A plan's versions, oldest first, one row more than asked."""
    return tx.fetchall(
        "SELECT * FROM plan_versions WHERE person_id = %(id)s AND version > %(after)s "
        "ORDER BY version LIMIT %(limit)s",
        {"id": person_id, "after": after, "limit": first + 1},
    )


def current_plans_for(tx: Transaction, person_ids: list[str]) -> list[Row]:
    """Plans of many people in one query (for per-request batching)."""
    if not person_ids:
        return []
    names = {f"p{n}": person_id for n, person_id in enumerate(person_ids)}
    placeholders = ", ".join(f"%({name})s" for name in names)
    return tx.fetchall(f"SELECT * FROM current_plans WHERE person_id IN ({placeholders})", names)
