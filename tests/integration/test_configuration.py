"""The event store is configured by Stepwise's settings alone: variables the library would read
from the process environment (plain or prefixed with the application's name) change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.support_plan import SupportPlan
from infra.bootstrap import build
from infra.settings import Settings
from tests.support.scenarios import agreed_plan


def stray_variables(stray_file: Path) -> dict[str, str]:
    return {
        "CARERECORDS_SQLITE_DBNAME": str(stray_file),
        "SQLITE_DBNAME": str(stray_file),
        "PERSISTENCE_MODULE": "eventsourcing.popo",
        "CARERECORDS_PERSISTENCE_MODULE": "eventsourcing.popo",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "CARERECORDS_POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "CARERECORDS_POSTGRES_DBNAME": "elsewhere",
    }


def test_stray_environment_variables_do_not_redirect_or_reconfigure_the_event_store(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stray_file = tmp_path / "elsewhere.db"
    stray = stray_variables(stray_file)
    for name, value in stray.items():
        monkeypatch.setenv(name, value)

    runtime = build(settings)
    try:
        plan = agreed_plan(runtime.records)
        written = runtime.records.read_log(0, 1000)
        env = runtime.records.env
        datastore = runtime.records.recorder.datastore  # type: ignore[attr-defined]
        enable_db_functions = getattr(datastore, "enable_db_functions", None)
    finally:
        runtime.close()
    for name in stray:
        monkeypatch.delenv(name)
    restarted = build(settings)
    try:
        read_back = restarted.records.read_log(0, 1000)
    finally:
        restarted.close()

    assert SupportPlan.create_id(plan.person_id) in {event.originator_id for _, event in written}
    assert [(p, e.originator_id, e.originator_version) for p, e in read_back] == [
        (p, e.originator_id, e.originator_version) for p, e in written
    ]
    assert not stray_file.exists()
    assert not set(stray.items()) & set(env.items())
    assert not [name for name in env if name.startswith("CARERECORDS_")]
    assert settings.eventsourcing_env().items() <= env.items()
    assert env["POSTGRES_ENABLE_DB_FUNCTIONS"] == "n"
    assert env.get("POSTGRES_ENABLE_DB_FUNCTIONS") == "n"  # as the library looks it up
    if settings.is_postgres:
        assert enable_db_functions is False
