"""Marking a recorded fact entered in error, decided in the domain: who may, until when, why,
and what a record must still stand on afterwards; and how every replay leaves the fact out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.care_records import CareRecords
from domain.corrections import MarkEnteredInError, mark_entered_in_error
from domain.errors import Forbidden, RecordNotFound, RulesViolated
from domain.evidence_note import RecordEvidenceNote
from domain.person_commands import RecordConsentToShare
from domain.risk_decision import RiskDecision, RiskReviewOutcome
from domain.support_plan import SupportPlan
from domain.support_plan_commands import SetSupportHours
from domain.timeline import replay, state_at
from tests.support.scenarios import MANAGER, WORKER, agreed_plan, context, run
from tests.unit import given
from tests.unit.test_pathway import FIRST
from tests.unit.test_pathway import stage as pathway_stage
from tests.unit.test_risk_decisions import EVERY_PART as RISK_PARTS


def marked(records: CareRecords, record_id: str, version: int, by: object = WORKER) -> None:
    records.execute(context(by, "Written in error"),  # type: ignore[arg-type]
                    MarkEnteredInError(f"{record_id}/{version}"))  # fmt: skip


def test_the_author_may_mark_their_own_fact_within_a_day(records: CareRecords, person: str) -> None:
    run(records, RecordConsentToShare(person, True, "GP"))

    marked(records, person, 2)

    assert records.load(UUID(person)).consent_to_share is None  # type: ignore[attr-defined]


def test_after_a_day_only_a_manager_may(records: CareRecords, person: str) -> None:
    run(records, RecordConsentToShare(person, True, "GP"))
    later = records.clock() + timedelta(hours=25)
    records.clock = lambda: later  # type: ignore[method-assign]

    with pytest.raises(Forbidden) as refusal:
        marked(records, person, 2)
    marked(records, person, 2, MANAGER)

    assert refusal.value.rule == "access.correction.too_late"


def test_a_fact_another_followed_from_is_marked_only_after_it(records: CareRecords) -> None:
    plan = agreed_plan(records)
    plan_id = str(SupportPlan.create_id(plan.person_id))
    caused = replace(context(MANAGER, "Decided at the review"), causation_id=f"{plan_id}/5")
    records.execute(caused, SetSupportHours(plan.person_id, 9))
    follower = records.load(UUID(plan_id)).version

    with pytest.raises(RulesViolated) as refusal:
        marked(records, plan_id, 5, MANAGER)
    marked(records, plan_id, follower, MANAGER)
    marked(records, plan_id, 5, MANAGER)

    assert given.rules(refusal) == {"correction.followed_by"}


def test_every_replay_leaves_out_a_fact_marked_in_error_once_the_mark_is_known(
    records: CareRecords, person: str
) -> None:
    run(records, RecordConsentToShare(person, True, "GP"))
    marked(records, person, 2)
    events = list(records.repository.event_store.get(UUID(person)))
    consented, correction = events[1], events[2]
    before = correction.timestamp - timedelta(microseconds=1)

    assert replay(None, events).consent_to_share is None
    assert state_at(events, consented.envelope.effective_at, before).consent_to_share is not None
    assert state_at(events, consented.envelope.effective_at,
                    correction.timestamp).consent_to_share is None  # fmt: skip


# -- what the rest of a record stands on ------------------------------------------------------

WRONG = "entered against the wrong person"


def correct(record: Any, history: list[Any], version: int) -> list[Any]:
    """A manager's correction of one fact, decided on the record as its history has it."""
    current = replay(None, history)
    mark_entered_in_error(current, given.envelope(reason=WRONG), version, history, given.NOW,
                          creation_correctable=True)  # fmt: skip
    return list(current.collect_events())


def version_of(history: list[Any], name: str) -> int:
    return next(e.originator_version for e in history if type(e).__name__ == name)


def test_a_stage_start_is_not_removed_from_under_the_progress_recorded_at_it() -> None:
    before = given.envelope(effective_at=given.NOW - timedelta(days=2))
    plan = SupportPlan(before, "person-1", "assessment-1", list(given.STRENGTHS))
    plan.agree_outcome(before, given.OUTCOME, given.terms())
    plan.add_pathway_stage(before, given.OUTCOME, pathway_stage(FIRST))
    plan.start_stage(before, given.OUTCOME, FIRST)
    plan.record_stage_progress(given.envelope(), given.OUTCOME, FIRST, "one prompt all week")
    history = list(plan.collect_events())

    with pytest.raises(RulesViolated) as refusal:
        correct(plan, history, version_of(history, "StageStarted"))
    [marked_progress] = correct(plan, history, version_of(history, "StageProgressRecorded"))

    assert given.rules(refusal) == {"correction.leaves_record_invalid"}
    assert marked_progress.voided_version == version_of(history, "StageProgressRecorded")


def test_an_agreement_is_not_removed_from_under_a_review_of_the_decision() -> None:
    decided = RiskDecision(given.envelope(), "person-1", "Walks to the shop alone", RISK_PARTS)
    decided.agree(given.envelope(), False, [])
    decided.review(given.envelope(reason="went alone six times"), RiskReviewOutcome.CONTINUE,
                   None, date(2025, 5, 30))  # fmt: skip
    history = list(decided.collect_events())

    with pytest.raises(RulesViolated) as refusal:
        correct(decided, history, version_of(history, "Agreed"))

    assert given.rules(refusal) == {"correction.leaves_record_invalid"}


def test_a_history_kept_under_older_rules_can_still_be_corrected() -> None:
    # Reviewed as taking effect before it was agreed: replayed strictly, that history does
    # not stand, so a correction elsewhere in it is held only to its loading.
    proposed_at = given.envelope(effective_at=given.NOW - timedelta(days=1))
    decided = RiskDecision(proposed_at, "person-1", "Walks to the shop alone", RISK_PARTS)
    decided.agree(given.envelope(), False, [])
    for hours in (1, 0):
        at = given.envelope(reason="went alone", effective_at=given.NOW - timedelta(hours=hours))
        decided.review(at, RiskReviewOutcome.CONTINUE, None, date(2025, 5, 30))
    history = list(decided.collect_events())

    [marked_review] = correct(decided, history, 4)

    assert marked_review.voided_version == 4


def test_a_persons_registration_stands_whatever_follows(records: CareRecords, person: str) -> None:
    with pytest.raises(RulesViolated) as refusal:
        marked(records, person, 1, MANAGER)

    assert given.rules(refusal) == {"correction.creation_of_a_derived_record"}
    assert records.load(UUID(person)).version == 1


def test_a_correction_follows_from_the_fact_it_marks(records: CareRecords, person: str) -> None:
    run(records, RecordConsentToShare(person, True, "GP"))

    marked(records, person, 2)

    correction = list(records.repository.event_store.get(UUID(person)))[-1]
    assert correction.envelope.causation_id == f"{person}/2"


def test_in_a_record_whose_first_fact_was_marked_each_fact_is_refused_for_what_it_is(
    records: CareRecords,
) -> None:
    plan = agreed_plan(records)
    note = RecordEvidenceNote(plan.person_id, plan.outcome_id, "Chopped the onions")
    note_id = run(records, note).record_id
    marked(records, note_id, 1)

    refused = {}
    for version in (1, 2):
        with pytest.raises(RulesViolated) as refusal:
            marked(records, note_id, version)
        refused[version] = given.rules(refusal)
    with pytest.raises(RecordNotFound):
        marked(records, note_id, 3)

    assert refused == {1: {"correction.already_entered_in_error"},
                       2: {"correction.of_a_correction"}}  # fmt: skip
