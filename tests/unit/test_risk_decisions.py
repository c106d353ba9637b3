"""Positive risk-taking decisions: proposed by staff, completed part by part, agreed by a manager
only once every part is there (the advocate's views too, where the person has one) and every
restriction it relies on is confirmed, then reviewed: continued, or its safeguards relaxed or
tightened, always with a reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.care_records import CareRecords
from domain.catalogue import REGISTRY
from domain.commands import STAFF, Command
from domain.envelope import CommandContext, Role
from domain.errors import Forbidden, RulesViolated
from domain.person_commands import RecordAdvocate
from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.restriction_commands import ImposeRestriction, ReviewRestriction
from domain.risk_decision import (
    AGREED,
    DRAFT,
    REQUIRED,
    LinkedRestriction,
    RiskDecision,
    RiskParts,
    RiskReviewOutcome,
)
from domain.risk_decision_commands import (
    AgreeRiskDecision,
    ProposeRiskDecision,
    RecordRiskDecisionParts,
    ReviewRiskDecision,
)
from domain.timeline import replay
from tests.support.scenarios import MANAGER, context, register, run
from tests.unit import given

ACTIVITY = "Walks to the corner shop alone"
TODAY = given.NOW.date()
REVIEW_BY = date(2025, 4, 25)
SAFEGUARDS = ["Carries a charged phone", "Texts staff on arrival"]
EVERY_PART = RiskParts(
    risks=["Crossing the main road", "Getting lost on the way back"],
    could_go_right="Chooses her own food and grows in confidence",
    could_go_wrong="Gets lost and frightened",
    safeguards=SAFEGUARDS,
    escalation="Phone her after 30 minutes without a text; then the manager on call",
    review_by=REVIEW_BY,
    person_views="I want to go on my own like my sister does",
)
WITH_ADVOCATE = replace(EVERY_PART, advocate_views="Joan supports it if she carries a phone")
AT_REVIEW = "went alone six times without trouble"


def decision(parts: RiskParts = EVERY_PART) -> RiskDecision:
    """A proposed decision about person-1, as a repository rebuilds it."""
    proposed = RiskDecision(given.envelope(), "person-1", ACTIVITY, parts)
    return replay(None, proposed.collect_events())


def agreed(parts: RiskParts = EVERY_PART) -> RiskDecision:
    proposed = decision(parts)
    proposed.agree(given.envelope(), False, [])
    return given.past(proposed)


def linked(**overrides: Any) -> LinkedRestriction:
    confirmed: dict[str, Any] = {"restriction_id": "restriction-card", "person_id": "person-1",
                                 "in_force": True, "proportionality": "only between trips",
                                 "review_by": date(2025, 4, 11)}  # fmt: skip
    return LinkedRestriction(**{**confirmed, **overrides})


# -- proposing and completing -----------------------------------------------------------------


def test_a_proposed_decision_is_a_draft_holding_the_parts_given_so_far() -> None:
    proposed = RiskDecision(given.envelope(), "person-1", ACTIVITY, RiskParts(risks=["Traffic"]))

    [event] = proposed.collect_events()
    assert type(event).__qualname__ == "RiskDecision.Proposed"
    assert (proposed.status, proposed.activity, proposed.parts.risks) == (DRAFT, ACTIVITY,
                                                                         ["Traffic"])  # fmt: skip


def test_recording_parts_replaces_those_given_and_keeps_the_rest() -> None:
    draft = given.past(decision(RiskParts(risks=["Traffic"], escalation="Phone her")))

    draft.record_parts(given.envelope(), RiskParts(escalation="Phone the manager on call"))

    [event] = draft.collect_events()
    assert event.parts == {"escalation": "Phone the manager on call"}
    assert (draft.parts.risks, draft.parts.escalation) == (["Traffic"], "Phone the manager on call")


def test_recording_no_parts_at_all_is_refused() -> None:
    draft = decision(RiskParts())

    with pytest.raises(RulesViolated) as refusal:
        draft.record_parts(given.envelope(), RiskParts())

    assert given.rules(refusal) == {"risk.parts.no_change"}


def test_an_agreed_decisions_parts_are_changed_only_by_a_review() -> None:
    decided = agreed()

    with pytest.raises(RulesViolated) as refusal:
        decided.record_parts(given.envelope(), RiskParts(safeguards=["Goes with a friend"]))

    assert given.rules(refusal) == {"risk.agreed"}
    assert decided.collect_events() == []


def test_a_change_cannot_take_effect_before_the_decision_was_proposed() -> None:
    draft = decision()
    before = given.envelope(effective_at=given.NOW - timedelta(days=1))

    with pytest.raises(RulesViolated) as refusal:
        draft.record_parts(before, RiskParts(escalation="Phone her"))

    assert given.rules(refusal) == {"record.effective_at.before_start"}


# -- agreeing ---------------------------------------------------------------------------------


def test_a_decision_with_every_part_is_agreed_by_the_manager() -> None:
    draft = decision()

    draft.agree(given.envelope(), False, [linked()])

    [event] = draft.collect_events()
    assert type(event).__qualname__ == "RiskDecision.Agreed"
    assert event.restriction_ids == ["restriction-card"]
    assert (draft.status, draft.restriction_ids) == (AGREED, ["restriction-card"])
    assert draft.agreed_by == given.actor(Role.MANAGER).name


def test_each_missing_part_of_a_decision_is_its_own_violation_all_at_once() -> None:
    draft = decision(RiskParts())

    with pytest.raises(RulesViolated) as refusal:
        draft.agree(given.envelope(), True, [])

    assert given.rules(refusal) == {f"risk.required.{name}" for name in REQUIRED} | {
        "risk.required.advocate_views"
    }
    assert len(refusal.value.violations) == len(REQUIRED) + 1
    assert draft.collect_events() == []


BLANK = {name: [] if isinstance(value, list) else "   " for name, value in vars(EVERY_PART).items()
         if isinstance(value, list | str)}  # fmt: skip
MISSING = [(name, None) for name in sorted(REQUIRED)] + sorted(
    (name, BLANK[name]) for name in REQUIRED if name in BLANK
)


@pytest.mark.parametrize(("name", "blank"), MISSING, ids=lambda v: repr(v))
def test_a_decision_missing_one_part_is_refused_for_that_part_alone(name: str, blank: Any) -> None:
    draft = decision(replace(EVERY_PART, **{name: blank}))

    with pytest.raises(RulesViolated) as refusal:
        draft.agree(given.envelope(), False, [])

    assert given.rules(refusal) == {f"risk.required.{name}"}


def test_the_advocates_views_are_required_only_when_the_person_has_an_advocate() -> None:
    without = decision()
    without.agree(given.envelope(), False, [])
    assert without.status == AGREED

    with pytest.raises(RulesViolated) as refusal:
        decision().agree(given.envelope(), True, [])
    assert given.rules(refusal) == {"risk.required.advocate_views"}

    with_views = decision(WITH_ADVOCATE)
    with_views.agree(given.envelope(), True, [])
    assert with_views.status == AGREED


@pytest.mark.parametrize("review_by", [TODAY, TODAY - timedelta(days=1)])
def test_a_decision_whose_review_is_not_after_its_agreement_is_refused(review_by: date) -> None:
    draft = decision(replace(EVERY_PART, review_by=review_by))

    with pytest.raises(RulesViolated) as refusal:
        draft.agree(given.envelope(), False, [])

    assert given.rules(refusal) == {"risk.review_by_not_future"}


def test_a_decision_is_agreed_only_once() -> None:
    with pytest.raises(RulesViolated) as refusal:
        agreed().agree(given.envelope(), False, [])

    assert given.rules(refusal) == {"risk.already_agreed"}


@pytest.mark.parametrize(
    "restriction",
    [
        linked(in_force=False),
        linked(review_by=TODAY - timedelta(days=1)),
        linked(person_id="person-2"),
        linked(proportionality="   "),
    ],
    ids=["lifted", "overdue", "another persons", "not justified"],
)
def test_agreeing_is_refused_while_a_restriction_it_relies_on_is_not_confirmed(
    restriction: LinkedRestriction,
) -> None:
    draft = decision()

    with pytest.raises(RulesViolated) as refusal:
        draft.agree(given.envelope(), False, [linked(restriction_id="restriction-ok"), restriction])

    [violation] = refusal.value.violations
    assert (violation.rule, violation.field) == ("risk.restriction.not_confirmed", "restrictionIds")
    assert "restriction-card" in violation.message
    assert draft.status == DRAFT


def test_a_restriction_due_for_review_today_is_not_yet_overdue() -> None:
    draft = decision()

    draft.agree(given.envelope(), False, [linked(review_by=TODAY)])

    assert draft.status == AGREED


# -- reviewing --------------------------------------------------------------------------------


def review(
    decided: RiskDecision,
    outcome: RiskReviewOutcome,
    safeguards: list[str] | None = None,
    next_review_by: date = date(2025, 6, 6),
    reason: str | None = AT_REVIEW,
) -> None:
    decided.review(given.envelope(reason=reason), outcome, safeguards, next_review_by)


def test_a_decision_continued_keeps_its_safeguards_until_the_next_review() -> None:
    decided = agreed()

    review(decided, RiskReviewOutcome.CONTINUE)

    [event] = decided.collect_events()
    assert (event.outcome, event.safeguards) == ("continue", SAFEGUARDS)
    assert (decided.parts.safeguards, decided.parts.review_by) == (SAFEGUARDS, date(2025, 6, 6))


@pytest.mark.parametrize(
    ("outcome", "now_stand"),
    [
        (RiskReviewOutcome.RELAX_SAFEGUARDS, ["Texts staff on arrival"]),
        (RiskReviewOutcome.TIGHTEN_SAFEGUARDS, [*SAFEGUARDS, "Shares her location"]),
    ],
)
def test_relaxing_or_tightening_records_the_safeguards_as_they_now_stand(
    outcome: RiskReviewOutcome, now_stand: list[str]
) -> None:
    decided = agreed()

    review(decided, outcome, now_stand)

    [event] = decided.collect_events()
    assert (event.outcome, event.safeguards) == (outcome.value, now_stand)
    assert decided.parts.safeguards == now_stand


@pytest.mark.parametrize(
    "outcome", [RiskReviewOutcome.RELAX_SAFEGUARDS, RiskReviewOutcome.TIGHTEN_SAFEGUARDS]
)
@pytest.mark.parametrize("safeguards", [None, [], SAFEGUARDS], ids=["none", "empty", "same"])
def test_relaxing_or_tightening_without_new_safeguards_is_refused(
    outcome: RiskReviewOutcome, safeguards: list[str] | None
) -> None:
    decided = agreed()

    with pytest.raises(RulesViolated) as refusal:
        review(decided, outcome, safeguards)

    assert given.rules(refusal) == {"risk.review.safeguards_required"}
    assert decided.parts.safeguards == SAFEGUARDS


def test_a_review_without_a_reason_is_refused_with_every_other_broken_rule() -> None:
    decided = agreed()

    with pytest.raises(RulesViolated) as refusal:
        review(decided, RiskReviewOutcome.TIGHTEN_SAFEGUARDS, None, TODAY, reason="  ")

    assert given.rules(refusal) == {
        "risk.review.reason_required",
        "risk.review.safeguards_required",
        "risk.review_by_not_future",
    }
    assert decided.collect_events() == []


def test_only_an_agreed_decision_is_reviewed() -> None:
    with pytest.raises(RulesViolated) as refusal:
        review(decision(), RiskReviewOutcome.CONTINUE)

    assert given.rules(refusal) == {"risk.not_agreed"}


# -- through the application ------------------------------------------------------------------


def as_manager(reason: str | None = "agreed at her planning meeting", **at: Any) -> CommandContext:
    return replace(context(MANAGER, reason), **at)


def refused(records: CareRecords, command: Command, ctx: CommandContext | None = None) -> set[str]:
    """The rules a command broke; it must have stored nothing."""
    position = records.last_position()
    with pytest.raises(RulesViolated) as refusal:
        records.execute(ctx or as_manager(), command)
    assert records.last_position() == position
    return given.rules(refusal)


def propose(
    records: CareRecords, person: str, effective_at: datetime | None = None, **parts: Any
) -> str:
    every = {**vars(EVERY_PART), "review_by": records.clock().date() + timedelta(weeks=6)}
    every.pop("advocate_views")
    command = ProposeRiskDecision(person, ACTIVITY, **{**every, **parts})
    return records.execute(replace(context(), effective_at=effective_at), command).record_id


def impose(records: CareRecords, person: str, decision: str | None = None, **at: Any) -> str:
    """A restriction of the person's, imposed for the decision (if one is named)."""
    when = at.get("effective_at") or records.clock()
    command = ImposeRestriction(person, "Her bank card is kept in the office", "Lost two cards",
                                RestrictionBasis.BEST_INTERESTS, "Only between trips",
                                ["A purse on a chain"], "Joan Evans",
                                when.date() + timedelta(weeks=4),
                                risk_decision_id=decision)  # fmt: skip
    return records.execute(as_manager(**at), command).record_id


def loaded(records: CareRecords, decision_id: str) -> RiskDecision:
    found = records.load(UUID(decision_id))
    assert isinstance(found, RiskDecision)
    return found


def test_a_decision_about_no_activity_is_refused(records: CareRecords, person: str) -> None:
    command = ProposeRiskDecision(person, "   ")

    assert refused(records, command, context()) == {"risk.activity_required"}


def test_a_decision_is_proposed_completed_agreed_and_reviewed_through_the_application(
    records: CareRecords, person: str
) -> None:
    decision_id = run(records, ProposeRiskDecision(person, ACTIVITY, risks=["Traffic"]))
    next_review_by = records.clock().date() + timedelta(weeks=12)
    parts = {**vars(EVERY_PART), "review_by": records.clock().date() + timedelta(weeks=6)}
    parts.pop("advocate_views")

    run(records, RecordRiskDecisionParts(decision_id.record_id, **parts))
    records.execute(as_manager(), AgreeRiskDecision(decision_id.record_id))
    records.execute(as_manager(AT_REVIEW), ReviewRiskDecision(
        decision_id.record_id, RiskReviewOutcome.TIGHTEN_SAFEGUARDS, next_review_by,
        [*SAFEGUARDS, "Shares her location"]))  # fmt: skip

    decided = loaded(records, decision_id.record_id)
    assert (decided.status, decided.version) == (AGREED, 4)
    assert decided.parts.safeguards == [*SAFEGUARDS, "Shares her location"]
    assert decided.parts.review_by == next_review_by


def test_a_person_with_an_advocate_needs_the_advocates_views_before_agreeing(
    records: CareRecords, person: str
) -> None:
    decision_id = propose(records, person)
    run(records, RecordAdvocate(person, "Joan Evans", "sister"))

    assert refused(records, AgreeRiskDecision(decision_id)) == {"risk.required.advocate_views"}

    run(records, RecordRiskDecisionParts(decision_id, advocate_views="Joan supports it"))
    records.execute(as_manager(), AgreeRiskDecision(decision_id))
    assert loaded(records, decision_id).status == AGREED


def test_agreeing_is_refused_while_a_linked_restriction_is_lifted(
    records: CareRecords, person: str
) -> None:
    decision_id = propose(records, person)
    restriction_id = impose(records, person, decision_id)
    records.execute(as_manager(), ReviewRestriction(restriction_id, ReviewOutcome.LIFTED))

    refusal = refused(records, AgreeRiskDecision(decision_id))

    assert refusal == {"risk.restriction.not_confirmed"}


def test_agreeing_is_refused_while_a_linked_restriction_is_overdue_for_review(
    records: CareRecords, person: str
) -> None:
    six_weeks_ago = records.clock() - timedelta(weeks=6)
    decision_id = propose(records, person, effective_at=six_weeks_ago)
    overdue = impose(records, person, decision_id, effective_at=six_weeks_ago)
    unlinked = impose(records, person, effective_at=six_weeks_ago)  # not relied on: not read

    assert refused(records, AgreeRiskDecision(decision_id)) == {"risk.restriction.not_confirmed"}

    records.execute(as_manager(), ReviewRestriction(overdue, ReviewOutcome.CONTINUED,
                    justification="Lost another card",
                    next_review_by=records.clock().date() + timedelta(weeks=4)))  # fmt: skip
    records.execute(as_manager(), AgreeRiskDecision(decision_id))
    assert loaded(records, decision_id).restriction_ids == [overdue] != [unlinked]


def test_a_restriction_cannot_be_imposed_for_another_persons_decision(
    records: CareRecords, person: str
) -> None:
    decision_id = propose(records, person)
    someone_else = register(records, "Sam Hill").record_id

    with pytest.raises(RulesViolated) as refusal:
        impose(records, someone_else, decision_id)

    assert given.rules(refusal) == {"restriction.risk_decision.other_person"}
    assert loaded(records, decision_id).restriction_ids == []


def test_a_review_through_the_application_needs_a_reason(records: CareRecords, person: str) -> None:
    decision_id = propose(records, person)
    records.execute(as_manager(), AgreeRiskDecision(decision_id))
    command = ReviewRiskDecision(decision_id, RiskReviewOutcome.CONTINUE,
                                 records.clock().date() + timedelta(weeks=6))  # fmt: skip

    assert refused(records, command, as_manager(None)) == {"risk.review.reason_required"}


# -- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [AgreeRiskDecision, ReviewRiskDecision])
def test_only_a_manager_may_agree_or_review_a_decision(command: type[Command]) -> None:
    REGISTRY.authorise(given.actor(Role.MANAGER), command)

    for role in (Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER):
        with pytest.raises(Forbidden, match=r"needs one of the roles \['manager'\]"):
            REGISTRY.authorise(given.actor(role), command)


@pytest.mark.parametrize("command", [ProposeRiskDecision, RecordRiskDecisionParts])
def test_any_member_of_staff_may_propose_and_complete_a_decision(command: type[Command]) -> None:
    for role in STAFF:
        assert REGISTRY.authorise(given.actor(role), command).command is command

    for role in (Role.INSPECTOR, Role.COMMISSIONER, Role.TENANT_ADMIN):
        with pytest.raises(Forbidden):
            REGISTRY.authorise(given.actor(role), command)


def test_a_support_worker_cannot_agree_a_decision_through_the_application(
    records: CareRecords, person: str
) -> None:
    decision_id = propose(records, person)

    with pytest.raises(Forbidden):
        records.execute(context(), AgreeRiskDecision(decision_id))
    assert loaded(records, decision_id).status == DRAFT


def test_a_missing_part_is_named_as_the_client_spells_its_field() -> None:
    draft = decision(replace(EVERY_PART, could_go_right=None, review_by=None))

    with pytest.raises(RulesViolated) as refusal:
        draft.agree(given.envelope(), False, [])

    assert {v.field for v in refusal.value.violations} == {"couldGoRight", "reviewBy"}


def test_a_list_of_blank_entries_is_no_part_at_all() -> None:
    draft = decision(replace(EVERY_PART, risks=["  "], safeguards=[""]))

    with pytest.raises(RulesViolated) as refusal:
        draft.agree(given.envelope(), False, [])

    assert given.rules(refusal) == {"risk.required.risks", "risk.required.safeguards"}


def test_continuing_a_decision_keeps_its_safeguards_and_refuses_new_ones() -> None:
    decided = agreed()

    with pytest.raises(RulesViolated) as refusal:
        decided.review(given.envelope(reason=AT_REVIEW), RiskReviewOutcome.CONTINUE,
                       ["Goes without a phone"], REVIEW_BY)  # fmt: skip

    assert given.rules(refusal) == {"risk.review.safeguards_changed_on_continue"}
