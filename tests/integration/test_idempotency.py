"""Idempotent commands on SQLite and PostgreSQL: a retry with the same key and the same request is
answered from its receipt and writes nothing, whoever receives it (another process, a restarted
application, a concurrent twin); the same key with another request is refused."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest

from domain.care_records import CareRecords, Written
from domain.errors import IdempotencyKeyReused
from domain.person_commands import RegisterPerson
from domain.support_plan import SupportPlan
from domain.support_plan_commands import AgreeOutcome, SetSupportHours
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.support.scenarios import MANAGER, agreed_plan, change_hours, context

RUTH = RegisterPerson("Ruth Evans", "svc-1", date(1970, 5, 1), "t-1")
PROCESSES = 8


def fewer_hours(person_id: str, hours: float = 10) -> SetSupportHours:
    return SetSupportHours(person_id, hours)


def support_hours(records: CareRecords, person_id: str) -> float | None:
    plan: SupportPlan = records.repository.get(SupportPlan.create_id(person_id))
    return plan.support_hours_per_week


@contextmanager
def other_processes(settings: Settings, count: int) -> Iterator[list[Runtime]]:
    """Applications of their own on the same storage, as separate processes would have."""
    with ExitStack() as stack:
        runtimes = []
        for _ in range(count):
            other = build(settings)
            stack.callback(other.close)
            runtimes.append(other)
        yield runtimes


def all_at_once(runtimes: list[Runtime], send: Callable[[CareRecords], Written]) -> list[Written]:
    """Sends the same request through every runtime, released together."""
    start = threading.Barrier(len(runtimes), timeout=60)

    def one(other: Runtime) -> Written:
        start.wait()
        return send(other.records)

    with ThreadPoolExecutor(max_workers=len(runtimes)) as pool:
        return list(pool.map(one, runtimes))


def test_a_retried_registration_answers_the_first_result_and_writes_nothing(
    runtime: Runtime,
) -> None:
    records = runtime.records
    first = records.execute(context(key="register-ruth"), RUTH)
    before = records.last_position()

    retried = records.execute(context(key="register-ruth"), RUTH)

    assert retried == first
    assert (retried.record_id, retried.version, retried.position) == (
        first.record_id,
        1,
        before,
    )
    assert records.last_position() == before


def test_a_retried_change_answers_its_first_result_even_after_later_changes(
    runtime: Runtime,
) -> None:
    records = runtime.records
    plan = agreed_plan(records)
    keyed = context(MANAGER, "Fewer visits", key="hours-down")
    first = records.execute(keyed, fewer_hours(plan.person_id))
    change_hours(records, plan.person_id, 12, reason="Back to more visits")
    before = records.last_position()

    retried = records.execute(keyed, fewer_hours(plan.person_id))

    assert retried == first
    assert retried.version == plan.plan_version + 1
    assert records.last_position() == before
    assert support_hours(records, plan.person_id) == 12


@pytest.mark.parametrize(
    ("reason", "hours"),
    [
        pytest.param("Fewer visits", 11, id="another-value"),
        pytest.param("Day centre on Fridays", 10, id="another-reason"),
    ],
)
def test_the_same_key_with_another_request_is_refused_and_writes_nothing(
    runtime: Runtime, reason: str, hours: float
) -> None:
    records = runtime.records
    plan = agreed_plan(records)
    records.execute(context(MANAGER, "Fewer visits", key="hours-down"), fewer_hours(plan.person_id))
    before = records.last_position()

    with pytest.raises(IdempotencyKeyReused) as refused:
        records.execute(
            context(MANAGER, reason, key="hours-down"), fewer_hours(plan.person_id, hours)
        )

    assert refused.value.key == "hours-down"
    assert records.last_position() == before
    assert support_hours(records, plan.person_id) == 10


def test_the_same_key_from_two_providers_names_two_requests_and_both_are_written(
    runtime: Runtime,
) -> None:
    records = runtime.records
    before = records.last_position()
    ours = records.execute(context(key="first-referral"), RUTH)

    theirs = records.execute(replace(context(key="first-referral"), tenant_id="provider-b"), RUTH)

    assert theirs.record_id != ours.record_id
    assert theirs.position != ours.position
    assert records.last_position() == before + 2
    assert records.repository.get(UUID(ours.record_id)).tenant_id == "provider-a"
    assert records.repository.get(UUID(theirs.record_id)).tenant_id == "provider-b"


def test_a_retried_outcome_answers_the_same_outcome_and_the_plan_has_it_once(
    runtime: Runtime,
) -> None:
    records = runtime.records
    plan = agreed_plan(records)
    outcome = AgreeOutcome(
        plan.person_id, "Walks to the shop alone", "Staff walk with her", "Goes alone weekly",
        "Daily notes", ["Walks to the shop"],
    )  # fmt: skip
    keyed = context(MANAGER, "Ruth wants to shop alone", key="walk-outcome")
    first = records.execute(keyed, outcome)
    before = records.last_position()

    retried = records.execute(keyed, outcome)

    assert retried == first
    assert retried.part_id is not None and retried.part_id != plan.outcome_id
    assert records.last_position() == before
    stored = records.repository.get(SupportPlan.create_id(plan.person_id))
    titles = [o.title for o in stored.outcomes.values()]
    assert titles.count("Walks to the shop alone") == 1
    assert set(stored.outcomes) == {plan.outcome_id, first.part_id}


def test_concurrent_retries_of_a_registration_from_many_processes_store_it_once(
    runtime: Runtime,
) -> None:
    before = runtime.records.last_position()

    with other_processes(runtime.settings, PROCESSES) as processes:
        answers = all_at_once(processes, lambda r: r.execute(context(key="register-ruth"), RUTH))

    assert len(set(answers)) == 1
    (written,) = set(answers)
    assert runtime.records.last_position() == before + 1
    stored = runtime.records.read_log(before, 100)
    assert [position for position, _ in stored] == [written.position]
    assert [str(event.originator_id) for _, event in stored] == [written.record_id]


def test_concurrent_retries_of_a_change_write_once_and_none_is_refused(
    runtime: Runtime,
) -> None:
    plan = agreed_plan(runtime.records)
    before = runtime.records.last_position()
    keyed = context(MANAGER, "Fewer visits", key="hours-down")

    with other_processes(runtime.settings, PROCESSES) as processes:
        answers = all_at_once(processes, lambda r: r.execute(keyed, fewer_hours(plan.person_id)))

    assert len(set(answers)) == 1
    (written,) = set(answers)
    assert written.version == plan.plan_version + 1
    assert runtime.records.last_position() == before + 1 == written.position
    assert support_hours(runtime.records, plan.person_id) == 10


def test_a_retry_after_a_restart_is_answered_from_the_stored_receipt(
    runtime: Runtime,
) -> None:
    with other_processes(runtime.settings, 1) as (before_restart,):
        first = before_restart.records.execute(context(key="register-ruth"), RUTH)
    before = runtime.records.last_position()

    with other_processes(runtime.settings, 1) as (after_restart,):
        retried = after_restart.records.execute(context(key="register-ruth"), RUTH)
        assert after_restart.records.last_position() == before

    assert retried == first
    assert runtime.records.last_position() == before
