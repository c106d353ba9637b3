"""What every change to a support plan shares: it takes effect no earlier than the plan began,
gives a reason once the plan is agreed, and never takes effect before the last change to the
parts of the plan it touches or follows from.

DOMAIN: the plan in force is its events replayed in order of effective time (domain.timeline).
Some parts of a plan move in order: an outcome's stages are added, started, completed and set
back one after another, and each review follows the last. A change to such a part entered as
taking effect before the part last changed would, replayed, come first and find the part as it
was before: a stage started before it was added, a review held before it was scheduled. So
each part keeps when it last changed (and what that change was), and a change to it, or to a
part it follows from, cannot take effect before that. Parts whose changes do not depend on one
another (guidance, hours, an outcome's terms) keep no such time: late entries fill in the past.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.envelope import Envelope
from domain.errors import Rules

if TYPE_CHECKING:
    from domain.support_plan import SupportPlan

FOLLOWS = "plan.effective_at.before_what_it_follows"
REVIEWS = "reviews"  # the plan's reviews: each is scheduled once the last is held


@dataclass(frozen=True)
class LastChange:
    """When a part of the plan last changed (effective time), and what the change was."""

    at: datetime
    what: str


def stages_of(outcome_id: str) -> str:
    """An outcome's pathway as a list: stages are added to its end, in order."""
    return f"outcomes/{outcome_id}/stages"


def stage(outcome_id: str, stage_id: str) -> str:
    return f"outcomes/{outcome_id}/stages/{stage_id}"


def change_rules(plan: SupportPlan, envelope: Envelope) -> Rules:
    """The rules every change to the plan starts from."""
    rules = Rules()
    plan.check_began(rules, envelope)
    if plan.agreed:
        rules.check(
            bool(envelope.reason and envelope.reason.strip()),
            "plan.change.reason_required",
            "reason",
            "the plan is agreed: every change must give a reason",
        )
    return rules


def follows(
    rules: Rules, envelope: Envelope, last: Mapping[str, LastChange], parts: Iterable[str]
) -> None:
    """A change to these parts (or following from them) takes effect after each last changed."""
    for part in dict.fromkeys(parts):
        change = last.get(part)
        if change is not None:
            rules.check(
                envelope.effective_at >= change.at,
                FOLLOWS,
                "effectiveAt",
                f"{change.what} at {change.at.isoformat()}: this cannot take effect before that",
            )


def derived(state: Mapping[str, Any]) -> dict[str, LastChange]:
    """The last changes an older stored plan (from before parts kept them) still tells of: the
    times its stages and reviews keep. Setbacks kept no time, so a stage's last is its start."""
    found: dict[str, LastChange] = {}

    def keep(part: str, at: datetime | None, what: str) -> None:
        if at is not None and (part not in found or at >= found[part].at):
            found[part] = LastChange(at, what)

    for outcome_id, outcome in state.get("outcomes", {}).items():
        for kept in outcome.stages:
            for at, done in ((kept.added_at, "added"), (kept.started_at, "started"),
                             (kept.completed_at, "completed")):  # fmt: skip
                keep(stage(outcome_id, kept.stage_id), at, f"stage '{kept.title}' was {done}")
            keep(stages_of(outcome_id), kept.added_at, f"stage '{kept.title}' was added")
    for review in state.get("reviews", {}).values():
        for at, done in ((review.scheduled_at, "scheduled"), (review.held_at, "held")):
            keep(REVIEWS, at, f"the review due {review.due_on} was {done}")
    return found
