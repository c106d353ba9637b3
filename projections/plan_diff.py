"""What changed in a plan between two moments, and the recorded changes behind each difference.

Both ends are read from plan_states and compared field by field, so the difference is exact
even when changes cancel out or were recorded late; the causes are the plan_versions rows that
took effect in between and touched the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.base import Row, Transaction
from projections.plan_versions import plan_versions_between
from projections.states import Moment
from projections.support_plans import SupportPlans, get_plan


@dataclass(frozen=True)
class FieldDifference:
    field: str  # a dotted path, as in plan_versions' changes
    before: Any
    after: Any
    causes: list[Row]  # plan_versions rows, in the order they took effect


def fields(document: dict[str, Any]) -> dict[str, Any]:
    """A plan document as dotted paths: each outcome's terms, and each step, on their own."""
    flat = {name: value for name, value in document.items() if name not in ("outcomes", "personId")}
    for outcome_id, outcome in document.get("outcomes", {}).items():
        for name, value in outcome.items():
            if name == "steps":
                for step_id, step in value.items():
                    flat[f"outcomes.{outcome_id}.steps.{step_id}"] = step
            else:
                flat[f"outcomes.{outcome_id}.{name}"] = value
    return flat


def related(path: str, touched: str) -> bool:
    return path == touched or path.startswith(f"{touched}.") or touched.startswith(f"{path}.")


def plan_diff(
    tx: Transaction,
    plans: SupportPlans,
    person_id: str,
    since: datetime,
    until: datetime,
    known_at: datetime,
) -> list[FieldDifference]:
    start = get_plan(tx, plans, person_id, Moment(since, known_at))
    end = get_plan(tx, plans, person_id, Moment(until, known_at))
    before = fields(json.loads(start["document"])) if start else {}
    after = fields(json.loads(end["document"])) if end else {}
    versions = plan_versions_between(tx, person_id, since, until, known_at)
    touched = [
        (row, [change["field"] for change in json.loads(row["changes"])]) for row in versions
    ]
    return [
        FieldDifference(
            path,
            before.get(path),
            after.get(path),
            [row for row, paths in touched if any(related(path, p) for p in paths)],
        )
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]
