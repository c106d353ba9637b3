"""Reviews of a support plan: what has worked, what has not, whether support can step down, and
what was decided, with the person taking part.

DOMAIN: a review is held with the person, not about them: holding one without recording how
they took part is refused. Its decisions are applied to the plan as plan changes caused by the
review, so the plan's history shows which review changed what. A review that decides nothing
and whose analysis is empty or the same as the previous review's is a governance finding (a
"repeat review").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.errors import Rules
from domain.outcome import OutcomeTerms


@dataclass(frozen=True)
class ReviewAnalysis:
    what_worked: str = ""
    new_strengths: list[str] = field(default_factory=list)
    support_can_reduce: bool | None = None
    barriers: str = ""
    new_goals: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.what_worked.strip() or self.new_strengths or self.barriers.strip()
                    or self.new_goals or self.support_can_reduce is not None)  # fmt: skip


@dataclass(frozen=True)
class Involvement:
    """How the person took part; their views in their own words."""

    attended: bool | None = None
    contributed: bool | None = None
    views: str | None = None
    views_not_given_because: str | None = None

    def check(self, rules: Rules) -> None:
        rules.check(self.attended is not None, "review.involvement.attended_required",
                    "personAttended", "record whether the person attended")  # fmt: skip
        rules.check(self.contributed is not None, "review.involvement.contributed_required",
                    "personContributed", "record whether the person contributed")  # fmt: skip
        rules.check(
            bool((self.views or "").strip() or (self.views_not_given_because or "").strip()),
            "review.involvement.views_required",
            "personViews",
            "record the person's views in their own words, or why they could not be given",
        )


@dataclass(frozen=True)
class ReviewDecisions:
    """What the review decided; each is applied as a plan change caused by the review."""

    support_hours_per_week: float | None = None
    advance_stage_of: str | None = None  # an outcome whose current stage is completed
    # A new review date for the stage the advance starts (required once its own has come).
    stage_review_on: date | None = None
    new_outcome_id: str | None = None
    new_outcome: OutcomeTerms | None = None
    next_review_id: str | None = None
    next_review_on: date | None = None

    def recorded(self) -> dict[str, Any]:
        """As the review's own event keeps them (plain values)."""
        decided: dict[str, Any] = {}
        if self.support_hours_per_week is not None:
            decided["support_hours_per_week"] = self.support_hours_per_week
        if self.advance_stage_of is not None:
            decided["advance_stage_of"] = self.advance_stage_of
        if self.stage_review_on is not None:
            decided["stage_review_on"] = self.stage_review_on.isoformat()
        if self.new_outcome is not None:
            decided["new_outcome_id"] = self.new_outcome_id
        if self.next_review_on is not None:
            decided["next_review_on"] = self.next_review_on.isoformat()
        return decided


@dataclass(frozen=True)
class Review:
    """A review of the plan: when it is due, and once held, who held it and what it found and
    decided, as its ReviewHeld event records them (plain values, keyed as in that event)."""

    review_id: str
    due_on: date
    held_at: datetime | None = None
    scheduled_at: datetime | None = None
    # Not kept before the plan's class version 4: None and empty in a review held before then
    # and read from an older snapshot (a full replay of the plan's events fills them in).
    held_by: str | None = None  # the name of who held it
    analysis: dict[str, Any] = field(default_factory=dict)
    involvement: dict[str, Any] = field(default_factory=dict)
    decisions: dict[str, Any] = field(default_factory=dict)
