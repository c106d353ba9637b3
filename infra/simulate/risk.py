"""A simulated person's risk records: for some, a positive risk-taking decision proposed with
them, its parts recorded, agreed by a manager and later reviewed; for a few, a time-limited
restriction imposed by a manager and reviewed within the provider's limit (continued with a
fresh justification, reduced, or lifted)."""

from __future__ import annotations

from datetime import datetime

from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.restriction_commands import ImposeRestriction, ReviewRestriction
from domain.risk_decision import RiskReviewOutcome
from domain.risk_decision_commands import (
    AgreeRiskDecision,
    ProposeRiskDecision,
    RecordRiskDecisionParts,
    ReviewRiskDecision,
)
from infra.simulate.story import Act, Story

DECIDES_RISK = 3  # every third person has a positive risk-taking decision
RESTRICTED = 6  # and every sixth (from the second) a restriction
SAFEGUARDS = [
    "Phone charged before leaving, with the office number saved",
    "Texts staff on arrival and when setting off home",
    "A card in the bag with the route and a contact number",
    "Staff ring if there is no text within 30 minutes",
]


def plan_risks(story: Story, number: int, limit_days: int) -> None:
    """Puts the risk records of the simulation's `number`th person on their agenda."""
    rng = story.rng
    if number % DECIDES_RISK == 0 and story.days > 20:
        _decision(story, rng.randrange(10, max(11, story.days // 2)))
    if number % RESTRICTED == 1 and story.days > 20:
        _restriction(story, rng.randrange(5, story.days // 2), limit_days)


def _decision(story: Story, day: int) -> None:
    rng, staff, activity = story.rng, story.staff, story.words(story.theme.activity)
    decision: dict[str, str] = {}
    proposal = ProposeRiskDecision(
        person_id=story.person_id, activity=activity,
        risks=["Anxiety with no one there to help settle", "Getting lost or stranded",
               story.words(story.theme.triggers[0])],
        could_go_right=story.words("{name} does it like anyone else, on their own terms; "
                                   "confidence grows."),
        could_go_wrong=story.words("{name} is overwhelmed and confidence drops."),
        person_views=story.words("I want to do it myself, like everyone else."),
    )  # fmt: skip
    reason = story.words("{name} asked to try it")

    def propose(at: datetime) -> None:
        decision["id"] = story.run(story.worker(), at, proposal, reason).record_id

    story.on(day, 10, 0, propose)
    review_by = day + 2 + rng.randrange(42, 63)
    story.on(day + 2, 11, 0, lambda at: story.run(staff.senior, at, RecordRiskDecisionParts(
        risk_decision_id=decision["id"], safeguards=list(SAFEGUARDS),
        escalation="No contact within the hour: the on-call manager decides what to do next.",
        review_by=story.at(review_by, 0).date(),
        advocate_views="The advocate agrees the choice is the person's own and clearly made."
        if story.has_advocate else None,
    ), "Safeguards worked out with the person"))  # fmt: skip
    agreed = "Agreed with the person"
    story.on(day + 4, 15, 0, lambda at: story.run(
        staff.manager, at, AgreeRiskDecision(decision["id"]), agreed))  # fmt: skip
    safeguards = list(SAFEGUARDS)
    review = review_by - rng.randrange(0, 7)
    while review < story.days:
        outcome = rng.choice(list(RiskReviewOutcome))
        if outcome is RiskReviewOutcome.RELAX_SAFEGUARDS and len(safeguards) > 2:
            safeguards = safeguards[:-1]
        elif outcome is not RiskReviewOutcome.CONTINUE:
            outcome, safeguards = RiskReviewOutcome.TIGHTEN_SAFEGUARDS, [*safeguards, "Weekly chat"]
        next_by = review + rng.randrange(56, 85)
        story.on(review, 15, 30, _reviewing(story, decision, outcome, next_by, safeguards))
        review = next_by - rng.randrange(0, 7)


def _reviewing(
    story: Story, decision: dict[str, str], outcome: RiskReviewOutcome, next_by: int,
    safeguards: list[str],
) -> Act:  # fmt: skip
    def review(at: datetime) -> None:
        command = ReviewRiskDecision(decision["id"], outcome, story.at(next_by, 0).date(),
                                     list(safeguards))  # fmt: skip
        story.run(story.staff.manager, at, command, "Reviewed with the person")

    return review


def _restriction(story: Story, day: int, limit_days: int) -> None:
    rng, manager = story.rng, story.staff.manager
    what, why, proportionality = (story.words(text) for text in story.theme.restriction)
    longest = min(limit_days, 84)
    review_by = day + rng.randrange(28, longest + 1)
    basis = rng.choice((RestrictionBasis.CONSENT, RestrictionBasis.BEST_INTERESTS))
    imposing = ImposeRestriction(
        person_id=story.person_id, what=what, why=why, basis=basis,
        proportionality=proportionality,
        less_restrictive_options=["Reminders and a clear routine: tried, not enough alone",
                                  "Hourly checks: more intrusive, and not wanted"],
        agreed_by=f"{manager.name} (manager), with the person",
        review_by=story.at(review_by, 0).date(),
        basis_detail="Agreed with the person" if basis is RestrictionBasis.CONSENT
        else "Best-interests decision after a capacity assessment",
    )  # fmt: skip
    restriction: dict[str, str] = {}

    def impose(at: datetime) -> None:
        restriction["id"] = story.run(
            manager, at, imposing, "Agreed at a best-interests meeting"
        ).record_id

    story.on(day, 16, 0, impose)
    review = max(day + 1, review_by - rng.randrange(0, 8))
    while review < story.days:
        outcome = rng.choice((ReviewOutcome.CONTINUED, ReviewOutcome.REDUCED, ReviewOutcome.LIFTED))
        next_by = (
            None if outcome is ReviewOutcome.LIFTED else review + rng.randrange(28, longest + 1)
        )
        story.on(review, 16, 30, _reviewing_restriction(story, restriction, outcome, next_by))
        if next_by is None:
            return
        review = next_by - rng.randrange(0, 8)


def _reviewing_restriction(
    story: Story, restriction: dict[str, str], outcome: ReviewOutcome, next_by: int | None
) -> Act:
    def review(at: datetime) -> None:
        command = ReviewRestriction(
            restriction["id"], outcome,
            justification=story.words("Still needed: {name} agreed to keep it for now")
            if outcome is ReviewOutcome.CONTINUED else None,
            what_changed=story.words("{name} now manages part of it alone")
            if outcome is ReviewOutcome.REDUCED else None,
            next_review_by=story.at(next_by, 0).date() if next_by is not None else None,
        )  # fmt: skip
        story.run(story.staff.manager, at, command, "Restriction reviewed with the person")

    return review
