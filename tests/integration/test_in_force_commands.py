"""Commands are decided on the record as it is in force now, however its events were recorded:
across snapshots, after late entries, and from snapshots stored before records kept their
times."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.domain import Snapshot

from domain.care_records import CareRecords
from domain.errors import RulesViolated
from domain.support_plan import SupportPlan
from domain.support_plan_commands import DraftSupportPlan, SetSupportHours
from domain.timeline import replay
from infra.bootstrap import Runtime
from tests.support.scenarios import MANAGER, completed_assessment, context

DAY = timedelta(days=1)


def set_hours(records: CareRecords, person_id: str, hours: float, days_ago: float) -> None:
    effective_at = records.clock() - timedelta(days=days_ago)
    stated = replace(context(MANAGER, "Rota change"), effective_at=effective_at)
    records.execute(stated, SetSupportHours(person_id, hours))


def drafted_long_ago(records: CareRecords) -> tuple[str, Any]:
    person_id, assessment_id = completed_assessment(records)
    stated = replace(context(), effective_at=records.clock() - 400 * DAY)
    records.execute(stated, DraftSupportPlan(person_id, assessment_id))
    return person_id, SupportPlan.create_id(person_id)


def in_force(records: CareRecords, plan_id: Any) -> Any:
    return replay(None, records.repository.event_store.get(plan_id))


def test_a_late_entry_across_a_snapshot_leaves_the_later_fact_in_force(runtime: Runtime) -> None:
    records = runtime.records
    person_id, plan_id = drafted_long_ago(records)
    for n in range(60):  # past a snapshot (every 50 events)
        set_hours(records, person_id, 10 + n % 2, days_ago=300 - n)
    assert records.snapshots is not None and list(records.snapshots.get(plan_id))
    set_hours(records, person_id, 30, days_ago=350)  # late: effective before all of them

    loaded = records.load(plan_id)

    assert loaded.support_hours_per_week == 11
    assert vars(loaded) == vars(in_force(records, plan_id))


def test_a_command_is_decided_on_what_is_in_force_now(runtime: Runtime) -> None:
    records = runtime.records
    person_id, _ = drafted_long_ago(records)
    set_hours(records, person_id, 10, days_ago=1)
    set_hours(records, person_id, 14, days_ago=8)

    with pytest.raises(RulesViolated) as refusal:
        set_hours(records, person_id, 10, days_ago=0)  # 10 is what is in force

    assert [v.rule for v in refusal.value.violations] == ["plan.hours.no_change"]


def test_a_snapshot_stored_before_records_kept_their_times_is_replayed_past(
    runtime: Runtime,
) -> None:
    records = runtime.records
    person_id, plan_id = drafted_long_ago(records)
    set_hours(records, person_id, 10, days_ago=1)
    assert records.snapshots is not None
    old = Snapshot.take(in_force(records, plan_id))
    for kept in ("began_at", "latest_effective_at", "class_version"):
        del old.state[kept]  # the shape version 1 of the record stored
    records.snapshots.put([old])
    set_hours(records, person_id, 14, days_ago=8)

    assert records.load(plan_id).support_hours_per_week == 10
