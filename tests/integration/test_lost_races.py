"""A command that loses the race to save (another write to its record was saved between its
decision and its save) is decided again on what the winner left, as if it had come second,
whether or not this process keeps records in memory; a command that named the version it
expects is refused as a conflict instead, since that version is gone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from domain.errors import VersionConflict
from domain.support_plan import SupportPlan
from domain.support_plan_commands import SetSupportHours
from infra.bootstrap import Runtime, build
from tests.support.scenarios import MANAGER, AgreedPlan, agreed_plan, change_hours, context


@pytest.fixture(params=["kept in memory", "read from the store"])
def loser(runtime: Runtime, request: pytest.FixtureRequest) -> Iterator[Runtime]:
    """The process whose write loses the race, with the record cache on or off."""
    if request.param == "kept in memory":
        yield runtime
        return
    other = build(runtime.settings.model_copy(update={"record_cache_size": 0}))
    yield other
    other.close()


@pytest.fixture
def winner(runtime: Runtime) -> Iterator[Runtime]:
    other = build(runtime.settings)
    yield other
    other.close()


@pytest.fixture
def plan(runtime: Runtime) -> AgreedPlan:
    return agreed_plan(runtime.records)


@pytest.fixture
def overtaken(loser: Runtime, winner: Runtime, plan: AgreedPlan,
              monkeypatch: pytest.MonkeyPatch) -> list[int]:  # fmt: skip
    """Just before the loser's next save, another process saves a cut to 7 hours of the same
    plan; the version it saved."""
    won: list[int] = []
    save = loser.records.save

    def after_another_write(*records: Any, **kwargs: Any) -> Any:
        if not won:
            won.append(change_hours(winner.records, plan.person_id, 7).version)
        return save(*records, **kwargs)

    monkeypatch.setattr(loser.records, "save", after_another_write)
    return won


def hours(runtime: Runtime, person_id: str) -> float:
    return float(runtime.records.load(SupportPlan.create_id(person_id)).support_hours_per_week)


def test_a_write_that_lost_the_race_is_decided_again_on_the_winners_record_and_saved(
    loser: Runtime, runtime: Runtime, plan: AgreedPlan, overtaken: list[int]
) -> None:
    written = loser.records.execute(context(MANAGER, "More help with meals"),
                                    SetSupportHours(plan.person_id, 12))  # fmt: skip

    assert overtaken == [plan.plan_version + 1]
    assert written.version == plan.plan_version + 2  # after the winner's
    assert hours(runtime, plan.person_id) == 12


def test_a_write_that_named_the_version_it_expects_is_refused_as_a_conflict_when_it_lost(
    loser: Runtime, runtime: Runtime, plan: AgreedPlan, overtaken: list[int]
) -> None:
    expecting = replace(context(MANAGER, "More help"), expected_version=plan.plan_version)
    with pytest.raises(VersionConflict) as refused:
        loser.records.execute(expecting, SetSupportHours(plan.person_id, 12))

    assert (refused.value.expected, refused.value.actual) == (plan.plan_version, overtaken[0])
    assert hours(runtime, plan.person_id) == 7
