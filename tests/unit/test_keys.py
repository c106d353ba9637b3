"""`stepwise keys generate` prints keys the settings take as they are printed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.cli.app import cli
from infra.settings import Settings


@pytest.mark.parametrize(("kind", "variable"), [("cipher", "STEPWISE_CIPHER_KEY"),
                                                 ("audit", "STEPWISE_AUDIT_KEY"),
                                                 ("mac", "STEPWISE_EVENT_MAC_KEY")])  # fmt: skip
def test_a_generated_key_is_accepted_by_its_setting(kind: str, variable: str) -> None:
    result = CliRunner().invoke(cli, ["keys", "generate", kind])

    (line,) = [line for line in result.output.splitlines() if line.startswith(f"{variable}=")]
    value = line.split("=", 1)[1]
    settings = Settings(**{variable.removeprefix("STEPWISE_").lower(): value}, _env_file=None)
    assert result.exit_code == 0
    assert getattr(settings, variable.removeprefix("STEPWISE_").lower()) is not None


def test_a_cipher_key_of_the_wrong_size_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match="stepwise keys generate cipher"):
        Settings(cipher_key="c2hvcnQ=", _env_file=None)


def test_a_mac_key_shorter_than_32_bytes_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match="stepwise keys generate mac"):
        Settings(event_mac_key="c2hvcnQ=", _env_file=None)
