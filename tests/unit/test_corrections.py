"""Marking a recorded fact entered in error, decided in the domain: who may, until when, why,
and what a record must still stand on afterwards; and how every replay leaves the fact out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from domain.care_records import CareRecords
from domain.corrections import MarkEnteredInError
from domain.errors import Forbidden, RulesViolated
from domain.person_commands import RecordConsentToShare
from domain.support_plan import SupportPlan
from domain.support_plan_commands import SetSupportHours
from domain.timeline import replay, state_at
from tests.support.scenarios import MANAGER, WORKER, agreed_plan, context, run
from tests.unit import given


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
