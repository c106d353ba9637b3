"""The event store on SQLite and PostgreSQL: appends, reloads, conflicts, nothing partial."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eventsourcing.persistence import IntegrityError

from domain.errors import RulesViolated, VersionConflict
from domain.support_plan import SupportPlan
from domain.support_plan_commands import SetSupportHours
from infra.bootstrap import Runtime, build
from tests.support.scenarios import MANAGER, agreed_plan, change_hours, context


def test_a_plan_is_appended_and_reloads_exactly_as_decided(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    reloaded = runtime.records.repository.get(SupportPlan.create_id(plan.person_id))
    assert reloaded.agreed
    assert reloaded.version == plan.plan_version
    assert reloaded.support_hours_per_week == 14
    assert [s.weekly_micro_step for s in reloaded.outcomes[plan.outcome_id].steps] == [
        "Chops vegetables"
    ]


def test_events_keep_their_envelope_through_storage(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    change_hours(runtime.records, plan.person_id, 10)
    _, last = runtime.records.read_log(runtime.records.last_position() - 1, 1)[0]
    assert type(last).__name__ == "SupportHoursReduced"
    assert (last.before, last.after) == (14, 10)
    assert last.envelope.actor == MANAGER
    assert last.envelope.reason == "Fewer visits"
    assert last.envelope.tenant_id == "provider-a"
    assert last.envelope.service_id == "svc-1"


def test_a_stale_expected_version_is_refused_with_both_versions(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    stale = replace(context(reason="Fewer visits"), expected_version=plan.plan_version - 1)
    with pytest.raises(VersionConflict) as refused:
        runtime.records.execute(stale, SetSupportHours(plan.person_id, 10))
    assert (refused.value.expected, refused.value.actual) == (
        plan.plan_version - 1,
        plan.plan_version,
    )


def test_two_writers_from_the_same_version_cannot_both_append(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    plan_id = SupportPlan.create_id(plan.person_id)
    first = runtime.records.repository.get(plan_id)
    second = runtime.records.repository.get(plan_id)
    first.set_support_hours(runtime.records._seal(context(reason="a"), "svc-1"), 10)
    second.set_support_hours(runtime.records._seal(context(reason="b"), "svc-1"), 12)
    runtime.records.save(first)
    with pytest.raises(IntegrityError):
        runtime.records.save(second)
    assert runtime.records.repository.get(plan_id).support_hours_per_week == 10


def test_a_refused_command_writes_nothing(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    before = runtime.records.last_position()
    with pytest.raises(RulesViolated):
        runtime.records.execute(context(), SetSupportHours(plan.person_id, 10))  # no reason
    assert runtime.records.last_position() == before


def test_a_second_application_on_the_same_database_sees_every_event(runtime: Runtime) -> None:
    agreed_plan(runtime.records)
    other = build(runtime.settings)
    try:
        assert other.records.last_position() == runtime.records.last_position()
        assert len(other.records.read_log(0, 1000)) == len(runtime.records.read_log(0, 1000))
    finally:
        other.close()


def test_a_long_lived_plan_is_snapshotted_and_reloads_the_same(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    for hours in range(60):
        runtime.records.execute(context(reason="weekly"), SetSupportHours(plan.person_id, hours))
    plan_id = SupportPlan.create_id(plan.person_id)
    assert runtime.records.snapshots is not None
    latest = next(iter(runtime.records.snapshots.get(plan_id, desc=True, limit=1)))
    assert latest.originator_version == 50
    reloaded = runtime.records.repository.get(plan_id)
    assert (reloaded.version, reloaded.support_hours_per_week) == (plan.plan_version + 60, 59)
