"""`stepwise audit verify`: the audit chain against the log as stored now."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from infra.audit import Findings, verify
from infra.cli_support import console, runtime_from, unhurried

audit_cli = typer.Typer(help="The hash chain that makes changes to the log evident.",
                        no_args_is_help=True)  # fmt: skip


@audit_cli.command("verify")
def verify_command() -> None:
    """Re-read every stored event and checkpoint; name each position that no longer holds."""
    runtime = runtime_from(unhurried())
    try:
        key = runtime.settings.audit_signing_key()
        last = runtime.records.last_position()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("verifying the audit chain", total=last)
            findings = verify(
                runtime.records,
                runtime.store,
                key.public_key() if key else None,
                lambda position: progress.update(task, completed=position),
            )
            progress.update(task, completed=last)
    finally:
        runtime.close()
    _report(findings, signed=key is not None)
    if not findings.intact:
        raise typer.Exit(1)


def _report(findings: Findings, signed: bool) -> None:
    if findings.intact:
        console.print(f"Intact: {findings.verified} links up to position {findings.head}.")
    for position in findings.changed:
        console.print(f"[red]changed[/red]: the event at position {position} is not as chained")
    for position in findings.deleted:
        console.print(f"[red]deleted[/red]: the event at position {position} is gone")
    for position in findings.inserted:
        console.print(f"[red]inserted[/red]: position {position} was added after the chain passed")
    for problem in findings.checkpoints:
        console.print(f"[red]checkpoint[/red] {problem}")
    if not signed:
        console.print("Checkpoints were not checked against a key: set STEPWISE_AUDIT_KEY.")
