"""Records kept folded in memory for commands (STEPWISE_RECORD_CACHE_SIZE) are always the
records as they stand: brought up to date with what any process recorded since, refolded when a
late entry lands before what they hold, and never changed by a decision that was not saved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError

from domain.envelope import Envelope
from domain.support_plan import SupportPlan
from domain.support_plan_commands import SetSupportHours
from infra.bootstrap import Runtime, build
from tests.support.scenarios import MANAGER, agreed_plan, change_hours, context, run


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
    assert runtime.records.repository.cache is not None
    assert uncached.records.repository.cache is None

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
    assert missing not in runtime.records.repository.cache.cache  # type: ignore[union-attr]
