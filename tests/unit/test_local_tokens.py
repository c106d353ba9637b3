"""`stepwise token` mints what the server accepts, and refuses to mint a token that could
never reach anything: a scoped role without services, an inspector without a grant's end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from api.auth import Authenticator
from domain.envelope import Role
from infra.cli.app import cli
from tests.support.tokens import TEST_AUTH, TEST_SECRET

INSPECTOR = ["token", "--role", "inspector", "--tenant", "provider-a", "--subject", "u-ivy",
             "--name", "Ivy Cole"]  # fmt: skip


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEPWISE_AUTH_SECRET", TEST_SECRET)


def test_an_inspector_s_token_names_their_services_and_when_their_grant_ends() -> None:
    given = [*INSPECTOR, "--service", "svc-1", "--service", "svc-2", "--grant-ends", "2031-05-14"]
    result = CliRunner().invoke(cli, given)

    assert result.exit_code == 0, result.output
    caller = Authenticator(TEST_AUTH).caller(f"Bearer {result.output.strip()}")
    assert caller.actor.role is Role.INSPECTOR
    assert caller.services == {"svc-1", "svc-2"}
    assert caller.grant_expires_at == datetime(2031, 5, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--grant-ends", "2031-05-14"], "add --service"),
        (["--service", "svc-1"], "add --grant-ends"),
    ],
)
def test_a_token_that_could_reach_nothing_is_not_minted(given: list[str], said: str) -> None:
    result = CliRunner().invoke(cli, [*INSPECTOR, *given])

    assert result.exit_code == 1
    assert said in result.output


def test_an_integration_client_writes_only_with_the_write_scope() -> None:
    client = ["token", "--role", "integration_client", "--tenant", "provider-a", "--subject",
              "c-1", "--name", "Rota sync"]  # fmt: skip
    reading = CliRunner().invoke(cli, client).output.strip()
    writing = CliRunner().invoke(cli, [*client, "--scope", "records:write"]).output.strip()

    authenticator = Authenticator(TEST_AUTH)
    assert not authenticator.caller(f"Bearer {reading}").writes_granted
    assert authenticator.caller(f"Bearer {writing}").writes_granted
