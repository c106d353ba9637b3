"""review_schedule: each plan's reviews (scheduled, held, what they found and decided) and each
pathway stage's review date, so that what is due or overdue in a service is one query; and the
repeat-review finding, decided once, when a review is held.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, ClassVar

from domain.pathway import COMPLETED, CURRENT, PLANNED
from domain.support_plan import SupportPlan
from projections.base import Batch, Index, ReadModel, Row, Table, Tables, Transaction, handles

Plan: Any = SupportPlan
RETIRED = "retired"  # a stage of an outcome retired from the plan: never due
EMPTY_ANALYSIS: dict[str, Any] = {
    "what_worked": "", "new_strengths": [], "support_can_reduce": None, "barriers": "",
    "new_goals": [],
}  # fmt: skip


def repeat_finding(analysis: dict[str, Any], decisions: dict[str, Any],
                   previous: dict[str, Any] | None) -> str | None:  # fmt: skip
    """Why a review is a repeat review, if it is: it decided nothing, and found nothing new."""
    if any(name != "next_review_on" for name in decisions):  # booking the next one is routine
        return None
    if _normalised(analysis) == _normalised(EMPTY_ANALYSIS):
        return "decided nothing, and recorded no analysis"
    if previous is not None and _normalised(analysis) == _normalised(previous):
        return "decided nothing, and its analysis repeats the previous review's"
    return None


def _normalised(analysis: dict[str, Any]) -> dict[str, Any]:
    return {key: (value.strip().casefold() if isinstance(value, str) else value)
            for key, value in analysis.items()}  # fmt: skip


class ReviewSchedule(ReadModel):
    name = "review_schedule"
    version = 2
    tables: ClassVar[tuple[Table, ...]] = (
        Table(
            "plan_reviews",
            """plan_id TEXT NOT NULL,
            review_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            due_on TEXT NOT NULL,
            scheduled_at {timestamp} NOT NULL,
            held_at {timestamp},
            held_position BIGINT,
            held_by TEXT,
            analysis TEXT,
            involvement TEXT,
            decisions TEXT,
            repeat_finding TEXT""",
            primary_key="plan_id, review_id",
            indexes=(Index("by_person", "person_id, due_on"), Index("open", "tenant_id, due_on")),
        ),
        Table(
            "stage_reviews",
            """plan_id TEXT NOT NULL,
            stage_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            outcome_id TEXT NOT NULL,
            title TEXT NOT NULL,
            review_date TEXT NOT NULL,
            status TEXT NOT NULL""",
            primary_key="plan_id, stage_id",
            indexes=(Index("open", "tenant_id, review_date"),),
        ),
        Table(
            "review_plans",
            "plan_id TEXT NOT NULL, person_id TEXT NOT NULL, tenant_id TEXT NOT NULL",
            primary_key="plan_id",
        ),
    )

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        # Reviews and stages change a few times a month per person: each event is written as
        # it comes, so a later event in the batch sees the earlier ones.
        for position, event in batch:
            self.handler(event)(self, tx, tables, event, position)

    @handles(Plan.Drafted)
    def _drafted(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        tx.execute(
            f"INSERT INTO {tables['review_plans']} (plan_id, person_id, tenant_id) "
            "VALUES (%(plan)s, %(person)s, %(tenant)s)",
            {"plan": str(event.originator_id), "person": event.person_id,
             "tenant": event.envelope.tenant_id},
        )  # fmt: skip

    @handles(Plan.ReviewScheduled)
    def _scheduled(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        plan = _plan(tx, tables, event)
        tx.execute(
            f"INSERT INTO {tables['plan_reviews']} (plan_id, review_id, person_id, tenant_id, "
            "due_on, scheduled_at) VALUES (%(plan)s, %(review)s, %(person)s, %(tenant)s, "
            "%(due)s, %(at)s)",
            {**plan, "review": event.review_id, "due": event.due_on.isoformat(),
             "at": event.envelope.effective_at},
        )  # fmt: skip

    @handles(Plan.ReviewHeld)
    def _held(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        reviews = tables["plan_reviews"]
        previous = tx.fetchone(
            f"SELECT analysis FROM {reviews} WHERE plan_id = %(plan)s AND held_at IS NOT NULL "
            "ORDER BY held_position DESC LIMIT 1",
            {"plan": str(event.originator_id)},
        )
        earlier = json.loads(previous["analysis"]) if previous else None
        tx.execute(
            f"UPDATE {reviews} SET held_at = %(at)s, held_position = %(position)s, "
            "held_by = %(by)s, analysis = %(analysis)s, involvement = %(involvement)s, "
            "decisions = %(decisions)s, repeat_finding = %(finding)s "
            "WHERE plan_id = %(plan)s AND review_id = %(review)s",
            {"at": event.envelope.effective_at, "position": position,
             "by": event.envelope.actor.name, "analysis": json.dumps(event.analysis),
             "involvement": json.dumps(event.involvement),
             "decisions": json.dumps(event.decisions),
             "finding": repeat_finding(event.analysis, event.decisions, earlier),
             "plan": str(event.originator_id), "review": event.review_id},
        )  # fmt: skip

    @handles(Plan.PathwayStageAdded)
    def _stage_added(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        plan, stage = _plan(tx, tables, event), event.stage
        tx.execute(
            f"INSERT INTO {tables['stage_reviews']} (plan_id, stage_id, person_id, tenant_id, "
            "outcome_id, title, review_date, status) VALUES (%(plan)s, %(stage)s, %(person)s, "
            "%(tenant)s, %(outcome)s, %(title)s, %(date)s, %(status)s)",
            {**plan, "stage": stage.stage_id, "outcome": event.outcome_id,
             "title": stage.title, "date": stage.review_date.isoformat(), "status": PLANNED},
        )  # fmt: skip

    @handles(Plan.OutcomeRetired)
    def _retired(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        tx.execute(
            f"UPDATE {tables['stage_reviews']} SET status = %(status)s "
            "WHERE plan_id = %(plan)s AND outcome_id = %(outcome)s",
            {"status": RETIRED, "plan": str(event.originator_id), "outcome": event.outcome_id},
        )

    @handles(Plan.StageStarted)
    def _started(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        _stage_status(tx, tables, event, event.stage_id, CURRENT)

    @handles(Plan.StageCompleted)
    def _completed(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        _stage_status(tx, tables, event, event.stage_id, COMPLETED)

    @handles(Plan.StageSteppedBack)
    def _stepped_back(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        _stage_status(tx, tables, event, event.from_stage_id, PLANNED)
        _stage_status(tx, tables, event, event.to_stage_id, CURRENT)


def _plan(tx: Transaction, tables: Tables, event: Any) -> Row:
    row = tx.fetchone(
        f"SELECT plan_id AS plan, person_id AS person, tenant_id AS tenant "
        f"FROM {tables['review_plans']} WHERE plan_id = %(plan)s",
        {"plan": str(event.originator_id)},
    )
    return dict(row) if row else {"plan": str(event.originator_id), "person": "", "tenant": ""}


def _stage_status(tx: Transaction, tables: Tables, event: Any, stage_id: str, status: str) -> None:
    tx.execute(
        f"UPDATE {tables['stage_reviews']} SET status = %(status)s "
        "WHERE plan_id = %(plan)s AND stage_id = %(stage)s",
        {"status": status, "plan": str(event.originator_id), "stage": stage_id},
    )


# -- queries ---------------------------------------------------------------------------------


def reviews_of(tx: Transaction, person_id: str) -> list[Row]:
    return tx.fetchall(
        "SELECT * FROM plan_reviews WHERE person_id = %(p)s ORDER BY due_on, review_id",
        {"p": person_id},
    )


def due_reviews(tx: Transaction, tenant_id: str, service_id: str, due_before: date) -> list[Row]:
    """Reviews not yet held, of plans and of stages not completed, due by `due_before`, for
    the people the service now supports; with each plan's last held review."""
    params = {"tenant": tenant_id, "service": service_id, "before": due_before.isoformat()}
    last_held = ("(SELECT MAX(h.held_at) FROM plan_reviews h WHERE h.plan_id = {}.plan_id "
                 "AND h.held_at IS NOT NULL) AS last_held")  # fmt: skip
    return tx.fetchall(
        f"""SELECT 'plan' AS kind, r.person_id AS person_id, r.plan_id AS plan_id,
            r.review_id AS item_id, NULL AS outcome_id, 'Plan review' AS title,
            r.due_on AS due_on, {last_held.format("r")}
        FROM plan_reviews r JOIN people p ON p.person_id = r.person_id
        WHERE r.tenant_id = %(tenant)s AND p.service_id = %(service)s
          AND r.held_at IS NULL AND r.due_on <= %(before)s
        UNION ALL
        SELECT 'stage', s.person_id, s.plan_id, s.stage_id, s.outcome_id, s.title,
            s.review_date, {last_held.format("s")}
        FROM stage_reviews s JOIN people p ON p.person_id = s.person_id
        WHERE s.tenant_id = %(tenant)s AND p.service_id = %(service)s
          AND s.status IN ('planned', 'current') AND s.review_date <= %(before)s
        ORDER BY due_on, person_id, item_id""",
        params,
    )


def repeat_reviews(tx: Transaction, tenant_id: str, service_id: str) -> list[Row]:
    return tx.fetchall(
        """SELECT r.* FROM plan_reviews r JOIN people p ON p.person_id = r.person_id
        WHERE r.tenant_id = %(tenant)s AND p.service_id = %(service)s
          AND r.repeat_finding IS NOT NULL
        ORDER BY r.held_at""",
        {"tenant": tenant_id, "service": service_id},
    )
