"""How one change to a plan reads to a person: a one-line summary and a field-by-field diff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.base import Event

Document = dict[str, Any]


def diff_documents(before: Document, after: Document, path: str = "") -> list[dict[str, Any]]:
    """Before and after of every leaf field the change touched, as dotted paths."""
    changes: list[dict[str, Any]] = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        field = f"{path}.{key}" if path else key
        if isinstance(old, dict) and isinstance(new, dict):
            changes += diff_documents(old, new, field)
        elif old != new:
            changes.append({"field": field, "before": old, "after": new})
    return changes


def _title(document: Document, outcome_id: str) -> str:
    return str(document.get("outcomes", {}).get(outcome_id, {}).get("title", outcome_id))


def _hours(event: Any, before: Document, after: Document) -> str:
    was = before.get("supportHoursPerWeek")
    now = f"Support hours set to {event.hours_per_week:g} a week"
    return now if was is None else f"{now} (were {was:g})"


def _revised(event: Any, before: Document, after: Document) -> str:
    fields = ", ".join(name.replace("_", " ") for name in event.changes)
    return f"Outcome '{_title(after, event.outcome_id)}' revised: {fields}"


def _guidance(event: Any, before: Document, after: Document) -> str:
    return "Staff guidance rewritten" if before.get("staffGuidance") else "Staff guidance written"


SUMMARIES: dict[str, Callable[[Any, Document, Document], str]] = {
    "Drafted": lambda e, b, a: f"Plan drafted from assessment {e.assessment_id}",
    "OutcomeAgreed": lambda e, b, a: f"Outcome agreed: {e.terms['title']}",
    "EnablementStepAdded": lambda e, b, a: (
        f"Enablement step for '{_title(a, e.outcome_id)}': {e.step.weekly_micro_step}"
    ),
    "StaffGuidanceWritten": _guidance,
    "SupportHoursSet": _hours,
    "NextReviewDateSet": lambda e, b, a: f"Next review set for {e.review_date.isoformat()}",
    "OutcomeRevised": _revised,
    "OutcomeRetired": lambda e, b, a: f"Outcome '{_title(b, e.outcome_id)}' retired",
    "Agreed": lambda e, b, a: "Plan agreed",
}


def summarise(event: Event, before: Document, after: Document) -> str:
    name = type(event).__name__
    summary = SUMMARIES.get(name)
    return summary(event, before, after) if summary else name
