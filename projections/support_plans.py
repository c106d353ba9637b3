"""support_plans: each living plan as it stands (current_plans), every state it has been in
(plan_states, projections.states), its reviews and stages over time (plan_parts,
projections.plan_parts), and every change to it (plan_versions, projections.plan_versions).

One read model keeps them all, so a version row, the parts and the plan they describe always
agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.support_plan import SupportPlan
from projections.base import Event, Index, Row, Table, Tables, Transaction
from projections.event_records import document_text, jsonable
from projections.folding import RecordTable
from projections.marks import Mark, marks_table
from projections.plan_marks import plan_marks, plan_points
from projections.plan_parts import PART_COLUMNS, PARTS, part_rows
from projections.plan_versions import VERSIONS, DescribedVersions, outcome_document, write_versions
from projections.states import Moment, states_table, timeline_table

PARTS_PER_DOUBLING = 64  # outcomes and steps


class SupportPlans(DescribedVersions, RecordTable):
    name = "support_plans"
    version = 6
    aggregate = SupportPlan
    key = "plan_id"
    keep_on_update = ("drafted_at",)
    states = "plan_states"
    state_columns = ("plan_id", "person_id", "tenant_id", "status", "document", "version",
                     "updated_at", "aggregate_state")  # fmt: skip
    # A plan's document grows with its outcomes and steps, so a state is kept in full only
    # every so often (less often as it grows, so that the cost per event stays flat); a read at
    # a moment replays at most that many events, and renders a document of that size anyway.
    checkpoint_every = 16
    timeline = "plan_timeline"
    parts = "plan_parts"
    part_columns = PART_COLUMNS
    marks = "plan_marks"

    def checkpoint_interval(self, plan: SupportPlan) -> int:
        parts = sum(1 + len(outcome.steps) for outcome in plan.outcomes.values())
        return self.checkpoint_every * 2 ** max(0, (parts // PARTS_PER_DOUBLING).bit_length())

    tables = (
        Table(
            "current_plans",
            """plan_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            status TEXT NOT NULL,
            document TEXT NOT NULL,
            version INTEGER NOT NULL,
            drafted_at {timestamp} NOT NULL,
            updated_at {timestamp} NOT NULL,
            aggregate_state {blob} NOT NULL""",
            primary_key="plan_id",
            indexes=(Index("by_person", "person_id", unique=True),),
        ),
        states_table(
            "plan_states",
            "plan_id",
            """plan_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            status TEXT NOT NULL,
            document TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at {timestamp} NOT NULL,
            aggregate_state {blob} NOT NULL""",
        ),
        timeline_table("plan_timeline"),
        PARTS,
        VERSIONS,
        marks_table("plan_marks"),
    )

    def row(self, plan: SupportPlan, first_position: int, last_event: Event) -> Row:
        doc = document(plan)
        return {
            "plan_id": str(plan.id),
            "person_id": plan.person_id,
            "tenant_id": plan.tenant_id,
            "status": doc["status"],
            "document": document_text(doc),
            "version": plan.version,
            "drafted_at": plan.created_on,
            "updated_at": plan.modified_on,
        }

    def part_rows(self, plan: SupportPlan) -> dict[str, Row]:
        return part_rows(plan)

    def marks_of(self, plan: SupportPlan) -> list[Mark]:
        return plan_marks(plan)

    def points(self, before: SupportPlan | None, event: Event) -> list[Mark]:
        return plan_points(before, event)

    def write_more(self, tx: Transaction, tables: Tables, produced: Sequence[Any]) -> None:
        write_versions(tx, tables, produced)


def document(plan: SupportPlan) -> dict[str, Any]:
    return {
        "personId": plan.person_id,
        "assessmentId": plan.assessment_id,
        "status": "agreed" if plan.agreed else "draft",
        "assessedStrengths": list(plan.assessed_strengths),
        "outcomes": {key: outcome_document(o) for key, o in plan.outcomes.items()},
        "staffGuidance": plan.staff_guidance,
        "supportHoursPerWeek": plan.support_hours_per_week,
        "nextReviewDate": jsonable(plan.next_review_date),
    }


# -- queries ---------------------------------------------------------------------------------


def get_plan(tx: Transaction, plans: SupportPlans, person_id: str, moment: Moment) -> Row | None:
    """A person's plan as it stood at the moment (None before it was drafted)."""
    if not moment.now:
        return plans.at(tx, str(SupportPlan.create_id(person_id)), moment)
    return tx.fetchone("SELECT * FROM current_plans WHERE person_id = %(id)s", {"id": person_id})


def current_plans_for(tx: Transaction, person_ids: list[str]) -> list[Row]:
    """Plans of many people in one query (for per-request batching)."""
    if not person_ids:
        return []
    names = {f"p{n}": person_id for n, person_id in enumerate(person_ids)}
    placeholders = ", ".join(f"%({name})s" for name in names)
    return tx.fetchall(f"SELECT * FROM current_plans WHERE person_id IN ({placeholders})", names)
