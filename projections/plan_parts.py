"""What lists across plans ask about, kept with each plan's states (projections.folding): its
reviews (scheduled and held, with what each found and decided, and whether it merely repeated
the last) and its pathway stages with their review dates. So what was due, held or overdue in a
service at any moment, as recorded at any time, is one query.

DOMAIN: a review that decides nothing and whose analysis is empty or the same as the previous
review's is a governance finding, a "repeat review" (booking the next review is routine: on its
own it is not a decision). The stages of a retired outcome are never due.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from domain.support_plan import SupportPlan
from projections.base import Index, Row, Transaction, one_page
from projections.event_records import jsonable
from projections.people import members
from projections.states import Moment, latest_sets, parameters, parts_table

PLAN, STAGE = "plan", "stage"  # the kinds of part
RETIRED = "retired"
PART_COLUMNS = ("plan_id", "person_id", "tenant_id", "kind", "item_id", "outcome_id", "title",
                "due_on", "status", "held_at", "held_by", "details", "repeat_finding")  # fmt: skip
PARTS = parts_table(
    "plan_parts",
    "plan_id",
    """plan_id TEXT NOT NULL,
    person_id TEXT,
    tenant_id TEXT,
    kind TEXT,
    item_id TEXT,
    outcome_id TEXT,
    title TEXT,
    due_on TEXT,
    status TEXT,
    held_at {timestamp},
    held_by TEXT,
    details TEXT,
    repeat_finding TEXT""",
    Index("by_person", "person_id, effective_from"),
)
EMPTY_ANALYSIS: dict[str, Any] = {
    "what_worked": "", "new_strengths": [], "support_can_reduce": None, "barriers": "",
    "new_goals": [],
}  # fmt: skip


def part_rows(plan: SupportPlan) -> dict[str, Row]:
    """The plan's reviews and stages, each as a row of PART_COLUMNS, by item key."""
    rows: dict[str, Row] = {}
    previous: dict[str, Any] | None = None
    held_in_order = sorted(plan.reviews.values(), key=lambda r: (r.held_at is None, r.held_at))
    for review in held_in_order:
        analysis = getattr(review, "analysis", None)
        decisions = getattr(review, "decisions", None) or {}
        finding = None
        if review.held_at is not None:
            finding = repeat_finding(analysis or EMPTY_ANALYSIS, decisions, previous)
            previous = analysis or EMPTY_ANALYSIS
        details = {"analysis": analysis, "involvement": getattr(review, "involvement", None),
                   "decisions": decisions if review.held_at else None}  # fmt: skip
        rows[f"review:{review.review_id}"] = _part(
            plan, PLAN, review.review_id, None, "Plan review", review.due_on,
            "held" if review.held_at else "scheduled", review.held_at,
            getattr(review, "held_by", None), details, finding,
        )  # fmt: skip
    for outcome in plan.outcomes.values():
        for stage in outcome.stages:
            status = RETIRED if outcome.retired else stage.status
            rows[f"stage:{stage.stage_id}"] = _part(
                plan, STAGE, stage.stage_id, outcome.outcome_id, stage.title, stage.review_date,
                status, None, None, None, None,
            )  # fmt: skip
    return rows


def _part(plan: SupportPlan, kind: str, item_id: str, outcome_id: str | None, title: str,
          due_on: date, status: str, held_at: Any, held_by: str | None,
          details: dict[str, Any] | None, finding: str | None) -> Row:  # fmt: skip
    return {
        "plan_id": str(plan.id), "person_id": plan.person_id, "tenant_id": plan.tenant_id,
        "kind": kind, "item_id": item_id, "outcome_id": outcome_id, "title": title,
        "due_on": due_on.isoformat(), "status": status, "held_at": held_at, "held_by": held_by,
        "details": orjson.dumps(jsonable(details), option=orjson.OPT_SORT_KEYS).decode()
        if details else None,
        "repeat_finding": finding,
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


# -- queries ---------------------------------------------------------------------------------


def _parts_at(moment: Moment) -> str:
    return f"({latest_sets('plan_parts', 'plan_id')})"


def reviews_of(tx: Transaction, person_id: str, moment: Moment) -> list[Row]:
    """A person's plan reviews at the moment, as recorded then, in the order they fall due."""
    return tx.fetchall(
        f"SELECT * FROM {_parts_at(moment)} p WHERE p.person_id = %(person)s "
        "AND p.kind = %(kind)s ORDER BY p.due_on, p.item_id",
        {"person": person_id, "kind": PLAN, **parameters(moment)},
    )


def due_reviews(
    tx: Transaction, tenant_id: str, service_id: str, due_before: date, moment: Moment,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    """Reviews not yet held, of plans and of stages not completed, due by `due_before`, for
    the people the service supported at the moment; with each plan's last held review. Only
    `limit` of them after the first `offset`, if given."""
    parts = _parts_at(moment)
    page, paging = one_page(limit, offset)
    return tx.fetchall(
        f"""SELECT p.*, (SELECT MAX(h.held_at) FROM {parts} h WHERE h.plan_id = p.plan_id
                          AND h.kind = 'plan' AND h.held_at IS NOT NULL) AS last_held
        FROM {parts} p
        WHERE p.tenant_id = %(tenant)s AND p.person_id IN ({members(moment)})
          AND p.due_on <= %(before)s
          AND ((p.kind = 'plan' AND p.held_at IS NULL)
               OR (p.kind = 'stage' AND p.status IN ('planned', 'current')))
        ORDER BY p.due_on, p.person_id, p.item_id""" + page,
        {"tenant": tenant_id, "service": service_id, "before": due_before.isoformat(),
         **parameters(moment), **paging},
    )  # fmt: skip


def repeat_reviews(
    tx: Transaction, tenant_id: str, service_id: str, moment: Moment,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    page, paging = one_page(limit, offset)
    return tx.fetchall(
        f"SELECT p.* FROM {_parts_at(moment)} p WHERE p.tenant_id = %(tenant)s "
        f"AND p.person_id IN ({members(moment)}) AND p.repeat_finding IS NOT NULL "
        "ORDER BY p.held_at, p.item_id" + page,
        {"tenant": tenant_id, "service": service_id, **parameters(moment), **paging},
    )
