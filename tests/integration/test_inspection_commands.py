"""`stepwise projections status` and `stepwise audit verify` only look: pointed at a database
without Stepwise's records they say so and create nothing (no folder, file, schema or table)."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from infra.bootstrap import build
from infra.cli.app import cli
from infra.settings import Settings
from tests.support.tokens import TEST_SECRET

INSPECTING = (["projections", "status"], ["audit", "verify"])


def tables_in(url: str, schema: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT table_name FROM information_schema.tables "
                                  "WHERE table_schema = %s", (schema,))  # fmt: skip
        return [name for (name,) in rows]


def schema_exists(url: str, schema: str) -> bool:
    with psycopg.connect(url, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM information_schema.schemata "
                                   "WHERE schema_name = %s", (schema,))  # fmt: skip
        return found.fetchone() is not None


@pytest.mark.parametrize("command", INSPECTING)
def test_a_missing_sqlite_file_is_named_and_nothing_is_made(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "nonexistent" / "dir"
    monkeypatch.setenv("STEPWISE_DATABASE_URL", f"sqlite:///{folder / 'x.db'}")

    result = CliRunner().invoke(cli, command)

    assert result.exit_code == 1, result.output
    assert "No Stepwise records here" in result.output and "Nothing was created" in result.output
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.parametrize("command", INSPECTING)
def test_a_postgresql_schema_without_stepwise_is_named_and_left_as_it_was(
    command: list[str], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing, empty = f"t_{uuid.uuid4().hex[:12]}", f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {empty}")
    monkeypatch.setenv("STEPWISE_DATABASE_URL", postgres_url)

    outputs = []
    for schema in (missing, empty):
        monkeypatch.setenv("STEPWISE_DATABASE_SCHEMA", schema)
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1, result.output
        outputs.append(result.output)

    assert all("No Stepwise records here" in output for output in outputs)
    assert "no table carerecords_events, projection_tracking" in outputs[1]
    assert not schema_exists(postgres_url, missing)
    assert tables_in(postgres_url, empty) == []


def test_status_reads_a_store_that_has_the_records(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(settings).close()
    monkeypatch.setenv("STEPWISE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEPWISE_AUTH_SECRET", TEST_SECRET)
    if settings.database_schema:
        monkeypatch.setenv("STEPWISE_DATABASE_SCHEMA", settings.database_schema)

    result = CliRunner().invoke(cli, ["projections", "status"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "support_plans" in result.output and "live" in result.output
