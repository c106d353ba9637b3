"""`stepwise audit verify`: the audit chain against the log as stored now."""

from __future__ import annotations

import base64
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from infra.audit import Findings, verify
from infra.cli.support import console, runtime_from, unhurried

audit_cli = typer.Typer(help="The hash chain that makes changes to the log evident.",
                        no_args_is_help=True)  # fmt: skip


@audit_cli.command("verify")
def verify_command(
    public_key: Annotated[
        str | None,
        typer.Option(
            help="The provider's published public key (base64), to check the "
            "checkpoints without the signing key [default: from STEPWISE_AUDIT_KEY]"
        ),
    ] = None,
) -> None:
    """Re-read every stored event and checkpoint; name each position that no longer holds."""
    runtime = runtime_from(unhurried(), inspecting=True)
    try:
        signing = runtime.settings.audit_signing_key()
        key = _public_key(public_key) if public_key else signing.public_key() if signing else None
        last = runtime.records.last_position()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("verifying the audit chain", total=last)
            findings = verify(
                runtime.records,
                runtime.store,
                key,
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
    for position in findings.cut:
        console.print(f"[red]cut[/red]: links were removed from the chain just before {position}")
    for problem in findings.checkpoints:
        console.print(f"[red]checkpoint[/red] {problem}")
    if findings.unchained:
        console.print(f"{findings.unchained} later event(s) are not chained yet (the projector "
                      "chains them as it goes); they were not checked.")  # fmt: skip
    if not signed:
        console.print(
            "Checkpoint signatures were not checked: pass --public-key or set STEPWISE_AUDIT_KEY."
        )


def _public_key(encoded: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded, validate=True))
    except ValueError:
        raise typer.BadParameter("give the base64 of a 32-byte Ed25519 public key") from None
