"""The command line as an operator meets it: a bad setting is one line naming its environment
variable and what it expects, never echoing the value (a password, a secret), with exit code 2;
`--version`; a token that would be expired as it is minted is refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.cli.app import cli

PASSWORD, SECRET = "s3cretpw", "abcde"


def stepwise(*args: str, as_user: int | None = None,
             **environment: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """The installed command's entry point, in a process of its own, with these settings (and
    as that user, if given)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STEPWISE_")}
    return subprocess.run(
        [sys.executable, "-c", "from infra.cli.app import main; main()", *args],
        env={**clean, "COLUMNS": "200", **environment}, capture_output=True, text=True,
        timeout=60, check=False, user=as_user,
    )  # fmt: skip


def test_each_bad_setting_is_one_line_naming_its_variable_and_never_its_value() -> None:
    ran = stepwise("projections", "status", STEPWISE_DATABASE_URL=f"mysql://u:{PASSWORD}@h/db",
                   STEPWISE_PORT="abc", STEPWISE_AUTH_SECRET=SECRET)  # fmt: skip

    lines = ran.stdout.strip().splitlines()
    assert ran.returncode == 2
    assert [line.split(":")[0] for line in lines] == [
        "STEPWISE_DATABASE_URL", "STEPWISE_PORT", "STEPWISE_AUTH_SECRET"]  # fmt: skip
    assert "sqlite:///path.db" in lines[0] and "32 characters" in lines[2]
    shown = ran.stdout + ran.stderr
    assert PASSWORD not in shown and SECRET not in shown and "'abc'" not in shown
    assert "Traceback" not in shown


def test_the_version_is_shown() -> None:
    shown = CliRunner().invoke(cli, ["--version"])

    assert shown.exit_code == 0 and shown.stdout.strip() == "stepwise 0.1.0"


def test_a_token_expired_as_it_is_minted_is_refused() -> None:
    refused = CliRunner().invoke(cli, ["token", "--expires", "-5"])

    assert refused.exit_code == 2 and "--expires" in refused.output


def test_a_port_in_use_is_one_line_and_nothing_is_served(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        ran = stepwise("serve", "--port", port,
                       STEPWISE_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")  # fmt: skip

    assert ran.returncode == 1
    assert ran.stdout.strip() == (f"Port {port} on 127.0.0.1 is in use: stop what listens there, "
                                  "or pass --port (STEPWISE_PORT)")  # fmt: skip
    assert "GraphiQL" not in ran.stdout and "Traceback" not in ran.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_folder_that_cannot_be_written_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "notes.txt"  # a file where a folder should be: even root cannot
    not_a_folder.write_text("")

    ran = stepwise("demo", STEPWISE_DATABASE_URL=f"sqlite:///{not_a_folder / 'x.db'}")

    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert ran.stdout.startswith(f"Cannot write {not_a_folder} "), ran.stdout
    assert "make its folder writable" in ran.stdout and "Traceback" not in ran.stderr


def test_a_read_only_folder_is_answered_alike(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """(A folder root cannot be refused: the refusal as the operating system raises it.)"""
    refused = PermissionError(13, "Permission denied", "/srv/ro/stepwise.db.schema.lock")

    def cli_refused() -> None:
        raise refused

    monkeypatch.setattr(app, "cli", cli_refused)
    with pytest.raises(SystemExit) as exited:
        app.main()

    assert exited.value.code == 1
    assert capsys.readouterr().out.startswith(
        "Cannot write /srv/ro/stepwise.db.schema.lock (Permission denied): make its folder "
        "writable")  # fmt: skip
