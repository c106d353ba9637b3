"""The README's Docker Compose steps, as far as they run without a Docker engine: with
.env.example's development secret, the token its `stepwise token` command mints for the demo
manager is accepted, and its curl query answers with the demo people."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from api.app import create_app
from infra.bootstrap import Runtime
from infra.cli.app import cli
from infra.cli.tokens import DEVELOPMENT_SECRET
from infra.demo import load_demo
from infra.demo.people import DEMO_PEOPLE
from infra.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
STEPS = README.split("### Docker Compose", 1)[1].split("```shell", 1)[1].split("```", 1)[0]
COMMANDS = STEPS.replace("\\\n", " ")  # continued lines joined, as the shell reads them


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"auth_secret": SecretStr(DEVELOPMENT_SECRET)})


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    load_demo(runtime)
    with TestClient(create_app(runtime)) as client:
        yield client


def minted(monkeypatch: pytest.MonkeyPatch) -> str:
    """The token the README's `docker compose run ... stepwise token ...` prints."""
    found = re.search(r"docker compose run --rm -T api stepwise (token [^)]*)\)", COMMANDS)
    assert found, "the README's Compose steps no longer mint a token with `stepwise token`"
    monkeypatch.setenv("STEPWISE_AUTH_SECRET", DEVELOPMENT_SECRET)
    result = CliRunner().invoke(cli, shlex.split(found[1]), env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_the_token_the_compose_steps_mint_reads_the_demo_people_with_their_query(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = re.search(r"-d '([^']*)'", COMMANDS)
    assert payload and "http://localhost:8000/graphql" in COMMANDS

    response = client.post(
        "/graphql",
        json=json.loads(payload[1]),
        headers={"Authorization": f"Bearer {minted(monkeypatch)}"},
    )

    assert response.status_code == 200, response.text
    people = response.json()["data"]["people"]["edges"]
    assert {edge["node"]["name"] for edge in people} == {person.name for person in DEMO_PEOPLE}


def test_the_compose_steps_copy_the_development_secret_first() -> None:
    lines = [line for line in STEPS.splitlines() if line.strip()]

    assert lines[0].split("#")[0].strip() == "cp .env.example .env"
    assert "docker compose up --build" in lines[1]
