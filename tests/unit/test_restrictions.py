"""Restrictions of a person's rights or freedom: imposed by a manager with every term that makes
them lawful and proportionate, always time-limited by the provider's review limit, and moved on
only by a review (continued, reduced or lifted)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from domain.care_records import CareRecords
from domain.catalogue import ALL_EVENTS, REGISTRY
from domain.commands import Command
from domain.envelope import CommandContext, Role
from domain.errors import Forbidden, RulesViolated
from domain.provider_policy import DEFAULT_RESTRICTION_REVIEW_DAYS, SetRestrictionReviewLimit
from domain.restriction import (
    IN_FORCE,
    LIFTED,
    Restriction,
    RestrictionBasis,
    RestrictionTerms,
    ReviewOutcome,
)
from domain.restriction_commands import ImposeRestriction, ReviewRestriction
from domain.risk_decision import RiskReviewOutcome
from domain.risk_decision_commands import AgreeRiskDecision, ProposeRiskDecision, ReviewRiskDecision
from domain.timeline import replay
from tests.support.scenarios import MANAGER, context, register, run
from tests.unit import given

AT_MEETING = "best-interests meeting with her sister"
LIMIT = timedelta(days=DEFAULT_RESTRICTION_REVIEW_DAYS)


def today(records: CareRecords) -> date:
    return records.clock().date()


def imposing(person: str, review_by: date, **overrides: Any) -> ImposeRestriction:
    terms: dict[str, Any] = {
        "what": "Her bank card is kept in the office",
        "why": "She lost two cards in a month",
        "basis": RestrictionBasis.BEST_INTERESTS,
        "proportionality": "Only between shopping trips; she has it whenever she shops",
        "less_restrictive_options": ["A purse on a chain", "A card with a daily limit"],
        "agreed_by": "Joan Evans (sister) and Mo Khan",
        "review_by": review_by,
    }
    return ImposeRestriction(person, **{**terms, **overrides})


def as_manager(reason: str | None = AT_MEETING, at: datetime | None = None) -> CommandContext:
    return replace(context(MANAGER, reason), effective_at=at)


def impose(records: CareRecords, person: str, **overrides: Any) -> str:
    review_by = overrides.pop("review_by", today(records) + timedelta(weeks=4))
    command = imposing(person, review_by, **overrides)
    return records.execute(as_manager(), command).record_id


def restriction(records: CareRecords, restriction_id: str) -> Restriction:
    loaded = records.load(UUID(restriction_id))
    assert isinstance(loaded, Restriction)
    return loaded


def refused(records: CareRecords, command: Command, ctx: CommandContext | None = None) -> set[str]:
    """The rules a command broke; it must have stored nothing."""
    position = records.last_position()
    with pytest.raises(RulesViolated) as refusal:
        records.execute(ctx or as_manager(), command)
    assert records.last_position() == position
    return given.rules(refusal)


def reviewing(restriction_id: str, outcome: ReviewOutcome, **given_fields: Any) -> Any:
    return ReviewRestriction(restriction_id, outcome, **given_fields)


# -- imposing ---------------------------------------------------------------------------------


def test_a_restriction_keeps_what_why_its_basis_proportionality_options_and_review_by(
    records: CareRecords, person: str
) -> None:
    review_by = today(records) + timedelta(weeks=4)

    imposed = restriction(records, impose(records, person, review_by=review_by))

    assert imposed.person_id == person and imposed.status == IN_FORCE
    assert imposed.review_by == imposed.terms.review_by == review_by
    assert imposed.terms.basis == RestrictionBasis.BEST_INTERESTS
    assert imposed.terms.less_restrictive_options == ["A purse on a chain",
                                                      "A card with a daily limit"]  # fmt: skip
    assert imposed.terms.agreed_by == "Joan Evans (sister) and Mo Khan"


def test_a_restriction_missing_its_terms_is_refused_with_every_rule_at_once(
    records: CareRecords, person: str
) -> None:
    bare = imposing(person, today(records), what=" ", why="", proportionality="  ",
                    agreed_by="", basis=RestrictionBasis.OTHER, basis_detail=" ",
                    less_restrictive_options=["  "])  # fmt: skip

    assert refused(records, bare) == {
        "restriction.what_required",
        "restriction.why_required",
        "restriction.proportionality_required",
        "restriction.agreed_by_required",
        "restriction.basis_detail_required",
        "restriction.less_restrictive_options_required",
        "restriction.review_by_not_future",
    }


def test_a_restriction_on_another_basis_says_what_that_basis_is(
    records: CareRecords, person: str
) -> None:
    restriction_id = impose(records, person, basis=RestrictionBasis.OTHER,
                            basis_detail="Tenancy agreement clause 4")  # fmt: skip

    assert restriction(records, restriction_id).terms.basis_detail == "Tenancy agreement clause 4"


@pytest.mark.parametrize(
    ("days", "rules"),
    [
        (0, {"restriction.review_by_not_future"}),
        (-3, {"restriction.review_by_not_future"}),
        (DEFAULT_RESTRICTION_REVIEW_DAYS + 1, {"restriction.review_by_beyond_limit"}),
        (365, {"restriction.review_by_beyond_limit"}),
    ],
)
def test_a_restriction_must_be_reviewed_after_today_and_within_three_months(
    records: CareRecords, person: str, days: int, rules: set[str]
) -> None:
    command = imposing(person, today(records) + timedelta(days=days))

    assert refused(records, command) == rules


def test_a_restriction_may_run_to_the_last_day_of_the_default_limit(
    records: CareRecords, person: str
) -> None:
    last_day = today(records) + LIMIT

    assert restriction(records, impose(records, person, review_by=last_day)).review_by == last_day


def test_a_restriction_relying_on_another_persons_risk_decision_is_refused(
    records: CareRecords, person: str
) -> None:
    other = register(records, "Sam Hill").record_id
    decision = run(records, ProposeRiskDecision(other, "Goes to the match alone")).record_id
    command = imposing(person, today(records) + timedelta(weeks=4), risk_decision_id=decision)

    assert refused(records, command) == {"restriction.risk_decision.other_person"}


# -- the provider's limit ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.TENANT_ADMIN])
def test_a_provider_that_shortens_its_limit_refuses_a_review_by_date_beyond_it(
    records: CareRecords, person: str, role: Role
) -> None:
    records.execute(context(given.actor(role)), SetRestrictionReviewLimit(30))
    beyond = imposing(person, today(records) + timedelta(days=31))

    with pytest.raises(RulesViolated) as refusal:
        records.execute(as_manager(), beyond)

    assert given.rules(refusal) == {"restriction.review_by_beyond_limit"}
    assert "within 30 days" in refusal.value.violations[0].message
    last_day = today(records) + timedelta(days=30)
    assert restriction(records, impose(records, person, review_by=last_day)).review_by == last_day


def test_a_provider_that_lengthens_its_limit_allows_a_later_review_by_date(
    records: CareRecords, person: str
) -> None:
    records.execute(as_manager("Agreed with commissioners"), SetRestrictionReviewLimit(180))
    later = today(records) + timedelta(days=180)

    assert restriction(records, impose(records, person, review_by=later)).review_by == later


def test_setting_the_limit_it_already_has_is_refused(records: CareRecords) -> None:
    assert refused(records, SetRestrictionReviewLimit(DEFAULT_RESTRICTION_REVIEW_DAYS)) == {
        "policy.restriction_review.no_change"
    }
    records.execute(as_manager(), SetRestrictionReviewLimit(30))
    assert refused(records, SetRestrictionReviewLimit(30)) == {
        "policy.restriction_review.no_change"
    }


# -- reviewing --------------------------------------------------------------------------------


def test_a_restriction_continued_with_a_fresh_justification_is_due_again_by_its_next_date(
    records: CareRecords, person: str
) -> None:
    restriction_id = impose(records, person)
    next_review_by = today(records) + timedelta(weeks=8)

    records.execute(as_manager(), reviewing(restriction_id, ReviewOutcome.CONTINUED,
                    justification="Lost a third card last week",
                    next_review_by=next_review_by))  # fmt: skip

    reviewed = restriction(records, restriction_id)
    assert (reviewed.status, reviewed.review_by) == (IN_FORCE, next_review_by)
    assert reviewed.terms.review_by == today(records) + timedelta(weeks=4)  # as imposed


@pytest.mark.parametrize(
    ("outcome", "given_fields", "rules"),
    [
        (ReviewOutcome.CONTINUED, {}, {"restriction.review.justification_required"}),
        (ReviewOutcome.CONTINUED, {"justification": "  "},
         {"restriction.review.justification_required"}),
        (ReviewOutcome.REDUCED, {}, {"restriction.review.what_changed_required"}),
        (ReviewOutcome.REDUCED, {"justification": "Still needed"},
         {"restriction.review.what_changed_required"}),
    ],
)  # fmt: skip
def test_continuing_needs_a_fresh_justification_and_reducing_needs_what_changed(
    records: CareRecords,
    person: str,
    outcome: ReviewOutcome,
    given_fields: dict[str, str],
    rules: set[str],
) -> None:
    restriction_id = impose(records, person)
    next_review_by = today(records) + timedelta(weeks=8)

    command = reviewing(restriction_id, outcome, next_review_by=next_review_by, **given_fields)

    assert refused(records, command) == rules


def test_a_reduced_restriction_records_what_changed(records: CareRecords, person: str) -> None:
    restriction_id = impose(records, person)

    records.execute(as_manager(), reviewing(restriction_id, ReviewOutcome.REDUCED,
                    what_changed="She keeps the card on shopping days",
                    next_review_by=today(records) + timedelta(weeks=6)))  # fmt: skip

    [reviewed] = records.history(UUID(restriction_id), 2, after_version=1)
    assert type(reviewed).__qualname__ == "Restriction.Reviewed"
    assert vars(reviewed)["what_changed"] == "She keeps the card on shopping days"
    assert vars(reviewed)["was_due_by"] == today(records) + timedelta(weeks=4)


@pytest.mark.parametrize("outcome", [ReviewOutcome.CONTINUED, ReviewOutcome.REDUCED])
def test_a_restriction_kept_in_force_needs_its_next_review_by_date_within_the_limit(
    records: CareRecords, person: str, outcome: ReviewOutcome
) -> None:
    restriction_id = impose(records, person)
    reasons = {"justification": "Still needed", "what_changed": "Shopping days only"}
    beyond = today(records) + LIMIT + timedelta(days=1)

    cases = [
        (None, "restriction.review.next_review_required"),
        (beyond, "restriction.review_by_beyond_limit"),
        (today(records), "restriction.review_by_not_future"),
    ]

    for next_review_by, rule in cases:
        command = reviewing(restriction_id, outcome, next_review_by=next_review_by, **reasons)
        assert refused(records, command) == {rule}


def test_a_review_keeps_to_the_providers_limit_as_it_stands_at_the_review(
    records: CareRecords, person: str
) -> None:
    restriction_id = impose(records, person)
    records.execute(as_manager(), SetRestrictionReviewLimit(14))

    command = reviewing(restriction_id, ReviewOutcome.CONTINUED, justification="Still needed",
                        next_review_by=today(records) + timedelta(days=15))  # fmt: skip

    assert refused(records, command) == {"restriction.review_by_beyond_limit"}


def test_lifting_a_restriction_ends_it_and_a_lifted_restriction_cannot_be_reviewed(
    records: CareRecords, person: str
) -> None:
    restriction_id = impose(records, person)

    records.execute(as_manager(), reviewing(restriction_id, ReviewOutcome.LIFTED))

    assert restriction(records, restriction_id).status == LIFTED
    for outcome in ReviewOutcome:
        again = reviewing(restriction_id, outcome, justification="Needed again", what_changed="x",
                          next_review_by=today(records) + timedelta(weeks=2))  # fmt: skip
        assert refused(records, again) == {"restriction.lifted"}


def test_a_review_cannot_take_effect_before_the_last_one(records: CareRecords, person: str) -> None:
    now = records.clock()
    imposed_at = now - timedelta(days=10)
    command = imposing(person, imposed_at.date() + timedelta(weeks=4))
    restriction_id = records.execute(as_manager(at=imposed_at), command).record_id
    continued = reviewing(restriction_id, ReviewOutcome.CONTINUED, justification="Still needed",
                          next_review_by=now.date() + timedelta(weeks=4))  # fmt: skip
    records.execute(as_manager(), continued)

    earlier = as_manager(at=now - timedelta(days=5))

    assert refused(records, continued, earlier) == {"restriction.review_before_last"}


def test_a_review_cannot_take_effect_before_the_restriction_was_imposed() -> None:
    terms = RestrictionTerms("Her bank card is kept in the office", "She lost two cards",
                             RestrictionBasis.CONSENT, None, "Only between trips",
                             ["A purse on a chain"], "Dana", date(2025, 4, 11))  # fmt: skip
    imposed = replay(None, Restriction(given.envelope(), "person-1", terms).collect_events())
    before = given.envelope(effective_at=given.NOW - timedelta(days=1))

    with pytest.raises(RulesViolated) as refusal:
        imposed.review(before, ReviewOutcome.LIFTED, None, None, None, LIMIT)

    assert given.rules(refusal) == {
        "record.effective_at.before_start",
        "restriction.review_before_last",
        "restriction.review.reason_required",  # given.envelope() says no why
    }
    assert imposed.collect_events() == []


# -- only a review moves the review-by date ---------------------------------------------------


def test_an_overdue_restriction_stays_overdue_until_a_review_moves_it(
    records: CareRecords, person: str
) -> None:
    imposed_at = records.clock() - timedelta(days=100)
    was_due = imposed_at.date() + timedelta(days=90)
    command = imposing(person, was_due)
    restriction_id = records.execute(as_manager(at=imposed_at), command).record_id
    assert restriction(records, restriction_id).review_by == was_due < today(records)

    next_review_by = today(records) + timedelta(weeks=4)
    records.execute(as_manager(), reviewing(restriction_id, ReviewOutcome.CONTINUED,
                    justification="Still losing cards", next_review_by=next_review_by))  # fmt: skip

    assert restriction(records, restriction_id).review_by == next_review_by


def test_no_command_but_a_review_moves_a_restrictions_review_by_date(
    records: CareRecords, person: str
) -> None:
    review_by = today(records) + timedelta(weeks=4)
    restriction_id = impose(records, person, review_by=review_by)
    decision = run(records, ProposeRiskDecision(
        person, "Shops alone", risks=["Loses her card"], could_go_right="Chooses her food",
        could_go_wrong="Loses the card", safeguards=["Card kept between trips"],
        escalation="Call the office", review_by=review_by, person_views="I want to",
    )).record_id  # fmt: skip
    others: list[Command] = [
        AgreeRiskDecision(decision),
        ReviewRiskDecision(decision, RiskReviewOutcome.CONTINUE, review_by),
        SetRestrictionReviewLimit(14),
    ]

    for command in others:
        records.execute(as_manager(), command)

    unmoved = restriction(records, restriction_id)
    assert (unmoved.version, unmoved.review_by) == (1, review_by)  # never silently shortened
    assert {get_topic(e) for e in ALL_EVENTS if get_topic(e).startswith("Restriction.")} == {
        "Restriction.Imposed",
        "Restriction.Reviewed",
        "Restriction.EnteredInError",  # a review marked as entered in error never happened
    }


# -- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [ImposeRestriction, ReviewRestriction])
def test_only_a_manager_may_impose_or_review_a_restriction(command: type[Command]) -> None:
    REGISTRY.authorise(given.actor(Role.MANAGER), command)

    for role in Role:
        if role is not Role.MANAGER:
            with pytest.raises(Forbidden):
                REGISTRY.authorise(given.actor(role), command, writes_granted=True)


def test_managers_and_tenant_admins_set_the_providers_restriction_review_limit() -> None:
    allowed = {Role.MANAGER, Role.TENANT_ADMIN}
    for role in allowed:
        REGISTRY.authorise(given.actor(role), SetRestrictionReviewLimit)

    for role in set(Role) - allowed:
        with pytest.raises(Forbidden):
            REGISTRY.authorise(given.actor(role), SetRestrictionReviewLimit, writes_granted=True)


def test_a_support_worker_cannot_impose_a_restriction_through_the_application(
    records: CareRecords, person: str
) -> None:
    command = imposing(person, today(records) + timedelta(weeks=4))

    with pytest.raises(Forbidden, match=r"impose_restriction needs one of the roles \['manager'\]"):
        records.execute(context(), command)
