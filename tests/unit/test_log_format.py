"""STEPWISE_LOG_FORMAT=auto: text for a person at a terminal, JSON for everything else."""

from __future__ import annotations

import io

import pytest

from infra.logs import uses_json
from infra.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("log_format", "terminal", "json"),
    [("auto", True, False), ("auto", False, True), ("json", True, True), ("text", False, False)],
)
def test_auto_means_text_at_a_terminal_and_json_elsewhere(
    monkeypatch: pytest.MonkeyPatch, log_format: str, terminal: bool, json: bool
) -> None:
    monkeypatch.setattr("sys.stderr", Terminal() if terminal else io.StringIO())

    assert uses_json(Settings(log_format=log_format, _env_file=None)) is json  # type: ignore[arg-type]


def test_a_log_format_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="'auto', 'json' or 'text'"):
        Settings(log_format="xml", _env_file=None)  # type: ignore[arg-type]
