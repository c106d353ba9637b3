"""Records kept folded in memory for commands (STEPWISE_RECORD_CACHE_SIZE) are always the
records as they stand: brought up to date with what any process recorded since, refolded when a
late entry lands before what they hold, and never changed by a decision that was not saved. A
command decided on records kept from before another process changed them is decided again on
the records as they stand, whether it would have been saved or refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError

from domain.envelope import Envelope
from domain.errors import Forbidden, RulesViolated
from domain.staff_commands import RecordStaffLeaving
from domain.support_plan import SupportPlan
from domain.support_plan_commands import SetSupportHours
from infra.bootstrap import Runtime, build
from tests.support.scenarios import MANAGER, WORKER, agreed_plan, change_hours, context, run


@pytest.fixture
def uncached(runtime: Runtime) -> Iterator[Runtime]:
    """The same records, opened by another process that keeps no records in memory."""
    other = build(runtime.settings.model_copy(update={"record_cache_size": 0}))
    yield other
    other.close()


def plan_of(runtime: Runtime, person_id: str) -> Any:
    return runtime.records.load(SupportPlan.create_id(person_id))


def test_the_cache_is_on_by_default_and_a_record_is_brought_up_to_date_from_the_log(
    runtime: Runtime, uncached: Runtime
) -> None:
    plan = agreed_plan(runtime.records)
    assert plan_of(runtime, plan.person_id).support_hours_per_week != 20  # now in memory
    assert runtime.records.cache is not None
    assert uncached.records.cache is None

    change_hours(uncached.records, plan.person_id, 20)  # recorded by another process

    assert plan_of(runtime, plan.person_id).support_hours_per_week == 20


def test_a_late_entry_before_what_the_cache_holds_is_folded_in_effective_order(
    runtime: Runtime, uncached: Runtime
) -> None:
    began = datetime.now(UTC) - timedelta(days=30)
    plan = agreed_plan(runtime.records, at=began)
    change_hours(runtime.records, plan.person_id, 20)
    assert plan_of(runtime, plan.person_id).support_hours_per_week == 20  # cached at now

    late = SetSupportHours(plan.person_id, 12)  # in force from ten days ago, entered now
    run(runtime.records, late, MANAGER, at=began + timedelta(days=20), reason="Missed entry")
    cached, fresh = plan_of(runtime, plan.person_id), plan_of(uncached, plan.person_id)

    assert cached.support_hours_per_week == fresh.support_hours_per_week == 20
    assert cached.version == fresh.version
    assert cached.__dict__.keys() == fresh.__dict__.keys()
    assert {k: v for k, v in vars(cached).items() if k != "_pending_events"} == {
        k: v for k, v in vars(fresh).items() if k != "_pending_events"
    }


def test_a_decision_never_saved_leaves_the_record_in_memory_as_it_was(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    loaded = plan_of(runtime, plan.person_id)
    envelope = Envelope.seal(
        context(MANAGER, "not saved"), service_id="svc-1", now=datetime.now(UTC),
        skew=timedelta(minutes=2),
    )  # fmt: skip
    loaded.set_support_hours(envelope, 33)
    assert loaded.support_hours_per_week == 33 and loaded.pending_events

    again = plan_of(runtime, plan.person_id)

    assert again.support_hours_per_week != 33 and not again.pending_events
    assert again.version == loaded.version - 1


def test_a_record_not_yet_written_is_not_found_and_nothing_is_kept_for_it(
    runtime: Runtime,
) -> None:
    missing = UUID(int=7)
    with pytest.raises(AggregateNotFoundError):
        runtime.records.load(missing)
    assert runtime.records.cache is not None
    assert runtime.records.cache.kept(missing) is None


def test_a_change_made_elsewhere_since_a_record_was_kept_is_never_decided_over(
    runtime: Runtime, uncached: Runtime
) -> None:
    plan = agreed_plan(runtime.records)
    change_hours(runtime.records, plan.person_id, 20)  # the plan, person and writer now kept
    change_hours(uncached.records, plan.person_id, 25)  # another process

    with pytest.raises(RulesViolated) as refused:  # decided on 25, not on the 20 kept here
        change_hours(runtime.records, plan.person_id, 25)
    assert [v.rule for v in refused.value.violations] == ["plan.hours.no_change"]
    written = change_hours(runtime.records, plan.person_id, 30)

    assert written.version == plan.plan_version + 3  # after the other process's, no conflict
    assert plan_of(uncached, plan.person_id).support_hours_per_week == 30


def test_a_refusal_is_never_given_on_a_record_kept_from_before_it_changed_elsewhere(
    runtime: Runtime, uncached: Runtime
) -> None:
    plan = agreed_plan(runtime.records)
    change_hours(runtime.records, plan.person_id, 20)  # kept here at 20
    change_hours(uncached.records, plan.person_id, 25)

    change_hours(runtime.records, plan.person_id, 20)  # no change at 20 kept; a change at 25

    assert plan_of(uncached, plan.person_id).support_hours_per_week == 20


def test_a_writer_who_left_according_to_another_process_can_no_longer_write_here(
    runtime: Runtime, uncached: Runtime
) -> None:
    plan = agreed_plan(runtime.records)  # the worker's staff record is now kept here
    staff_id = WORKER.id
    run(uncached.records, RecordStaffLeaving(staff_id), MANAGER, reason="Moved away")

    with pytest.raises(Forbidden, match="left the provider's staff"):
        run(runtime.records, SetSupportHours(plan.person_id, 21), WORKER)
