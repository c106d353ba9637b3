"""The development secret in .env.example lets `docker compose up` serve an API one can call at
once. Everyone can read it, so `serve` warns loudly whenever it is the secret in use, and says
nothing of the kind for a secret of one's own."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.cli.app import cli
from infra.cli.tokens import DEVELOPMENT_SECRET
from tests.support.tokens import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
WARNING = "WARNING: STEPWISE_AUTH_SECRET is the published development secret"


def free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def serve_with(secret: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list]:
    """What `serve` prints before it starts the server, and the servers it started (none run:
    the test stops at the point where uvicorn would take over)."""
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(app.uvicorn, "run", lambda *_, **options: started.append(options))
    monkeypatch.setenv("STEPWISE_AUTH_SECRET", secret)
    monkeypatch.setenv("STEPWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'stepwise.db'}")
    monkeypatch.chdir(tmp_path)  # no .env of the working tree's is read

    result = CliRunner().invoke(cli, ["serve", "--port", free_port()], env={"COLUMNS": "300"})

    assert result.exit_code == 0, result.output
    return result.output, started


def test_serving_with_the_development_secret_warns_before_the_server_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, started = serve_with(DEVELOPMENT_SECRET, tmp_path, monkeypatch)

    warning = next(line for line in output.splitlines() if line.startswith(WARNING))
    assert "anyone can sign tokens this server accepts" in warning
    assert "For development only" in warning
    assert output.index(WARNING) < output.index("GraphiQL:")
    assert len(started) == 1  # a warning, not a refusal: development goes on


def test_serving_with_a_secret_of_ones_own_does_not_warn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, started = serve_with(TEST_SECRET, tmp_path, monkeypatch)

    assert WARNING not in output
    assert len(started) == 1


def test_the_secret_warned_of_is_the_one_env_example_publishes() -> None:
    settings = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )

    assert settings["STEPWISE_AUTH_SECRET"] == DEVELOPMENT_SECRET
