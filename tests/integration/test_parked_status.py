"""`stepwise projections status` is the projector container's health check: it exits 0 while
every read model runs, and 3 while one is parked, naming it and why, until it is retried."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner, Result

from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime
from infra.cli.app import PARKED, cli
from infra.settings import Settings
from projections.support_plans import SupportPlans
from tests.support.scenarios import agreed_plan, change_hours
from tests.support.tokens import TEST_SECRET

REDUCED: Any = SupportPlan.SupportHoursReduced  # made by the library: type checkers cannot see it
FAULT = "hours ledger unavailable"


def status(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Result:
    """The command as the healthcheck runs it: a process of its own, reading the settings."""
    monkeypatch.setenv("STEPWISE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEPWISE_AUTH_SECRET", TEST_SECRET)
    if settings.database_schema:
        monkeypatch.setenv("STEPWISE_DATABASE_SCHEMA", settings.database_schema)
    return CliRunner().invoke(cli, ["projections", "status"], env={"COLUMNS": "300"})


def park_support_plans(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> str:
    """A cut in hours the support_plans read model cannot apply: it parks before it. The
    person's id."""
    plan = agreed_plan(runtime.records)
    runtime.projector.catch_up()

    def broken(*_: object) -> None:
        raise RuntimeError(FAULT)

    with monkeypatch.context() as patch:
        patch.setitem(SupportPlans._handlers, REDUCED, broken)
        change_hours(runtime.records, plan.person_id, 10)
        runtime.projector.catch_up()
    assert runtime.projector.statuses()["support_plans"].parked
    return plan.person_id


def test_status_exits_0_while_every_read_model_runs(
    runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreed_plan(runtime.records)
    runtime.projector.catch_up()

    result = status(settings, monkeypatch)

    assert result.exit_code == 0, result.output
    assert "parked" not in result.output.lower()


def test_status_exits_3_naming_a_parked_read_model_and_why(
    runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    park_support_plans(runtime, monkeypatch)

    result = status(settings, monkeypatch)

    assert result.exit_code == PARKED == 3, result.output
    assert FAULT in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Parked: support_plans.") and "stepwise projections retry" in last


def test_status_exits_0_again_once_the_parked_read_model_is_retried_after_a_fix(
    runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    park_support_plans(runtime, monkeypatch)  # the broken handler is gone again: the fix

    runtime.projector.retry("support_plans")
    runtime.projector.catch_up()
    result = status(settings, monkeypatch)

    assert result.exit_code == 0, result.output
