"""`stepwise audit verify`: the audit chain against the log as stored now."""

from __future__ import annotations

import base64
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from infra.audit import Findings, Kept, verify
from infra.cli.support import console, runtime_from, unhurried
from infra.event_mac import mac_key

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
    kept: Annotated[
        str | None,
        typer.Option(
            help="A checkpoint kept outside the database, as POSITION:HASH (auditIntegrity "
            "answers both): fails if the log was cut back before it or rewritten through it",
        ),
    ] = None,
) -> None:
    """Re-read every stored event and checkpoint; name each position that no longer holds.
    With STEPWISE_EVENT_MAC_KEY set, each event's MAC is checked too."""
    kept_checkpoint = _kept(kept) if kept else None
    runtime = runtime_from(unhurried(), inspecting=True)
    try:
        mac_setting = runtime.settings.event_mac_key
        macs = mac_key(mac_setting.get_secret_value()) if mac_setting else None
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
                macs=macs,
                kept=kept_checkpoint,
            )
            progress.update(task, completed=last)
    finally:
        runtime.close()
    _report(findings, signed=key is not None, macs=macs is not None)
    if not findings.intact:
        raise typer.Exit(1)


# What verify found, each kind as it is reported: (Findings attribute, label, text).
PROBLEMS = (
    ("changed", "changed", "the event at position {} is not as chained"),
    ("deleted", "deleted", "the event at position {} is gone"),
    ("inserted", "inserted", "position {} was added after the chain passed"),
    ("cut", "cut", "links were removed from the chain just before {}"),
    ("checkpoints", "checkpoint", "{}"),
    ("forged", "forged", "the event at position {} does not match its MAC"),
    ("unsigned", "unsigned", "the event at position {} has no MAC"),
    ("gaps", "missing", "{}"),
    ("kept", "kept checkpoint", "{}"),
)


def _report(findings: Findings, signed: bool, macs: bool) -> None:
    if findings.intact:
        console.print(f"Intact: {findings.verified} links up to position {findings.head}.")
    for attribute, label, text in PROBLEMS:
        for found in getattr(findings, attribute):
            console.print(f"[red]{label}[/red]: {text.format(found)}")
    if findings.unchained:
        console.print(f"{findings.unchained} later event(s) are not chained yet (the projector "
                      "chains them as it goes); they were not checked.")  # fmt: skip
    if not signed:
        console.print(
            "Checkpoint signatures were not checked: pass --public-key or set STEPWISE_AUDIT_KEY."
        )
    if not macs:
        console.print("Event MACs were not checked: set STEPWISE_EVENT_MAC_KEY.")
    elif findings.before_macs:
        console.print(f"{findings.before_macs} event(s) were written before MACs began; the "
                      "chain alone covers them.")  # fmt: skip


def _kept(text: str) -> Kept:
    position, _, hash_hex = text.partition(":")
    try:
        found = Kept(int(position), bytes.fromhex(hash_hex))
    except ValueError:
        found = None
    if found is None or found.position < 1 or len(found.link) != 32:
        raise typer.BadParameter(
            "give POSITION:HASH, the hash as 64 hex digits", param_hint="--kept"
        )
    return found


def _public_key(encoded: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded, validate=True))
    except ValueError:
        raise typer.BadParameter("give the base64 of a 32-byte Ed25519 public key") from None
