"""A command that cannot reach its database says so and what to do, without a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.cli.app import cli
from tests.support.server import free_port


def test_a_command_without_its_database_names_it_and_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("STEPWISE_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{port}/care")

    result = CliRunner().invoke(cli, ["projections", "status"])

    assert result.exit_code == 1
    assert f"Cannot reach the database (PostgreSQL 127.0.0.1:{port}/care)" in result.output
    assert "STEPWISE_DATABASE_URL" in result.output
    assert "Traceback" not in result.output
