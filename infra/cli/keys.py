"""`stepwise keys generate`: the keys Stepwise can be given, made fresh."""

from __future__ import annotations

import base64
import os
from enum import StrEnum
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.cryptography import AESCipher

from infra.cli.support import console
from projections.audit_chain import public_bytes, setting_text

keys_cli = typer.Typer(help="Keys for encryption at rest, event MACs and the audit chain.",
                       no_args_is_help=True)  # fmt: skip


class Kind(StrEnum):
    cipher = "cipher"
    audit = "audit"
    mac = "mac"


@keys_cli.command("generate")
def generate(
    kind: Annotated[
        Kind,
        typer.Argument(
            help="cipher: encrypts stored events; audit: signs the audit chain's checkpoints; "
            "mac: puts a MAC on every event as it is written"
        ),
    ] = Kind.cipher,
) -> None:
    """Print a new key as the setting that takes it. Keep it secret, and keep a copy: events
    encrypted with a lost cipher key cannot be read again."""
    if kind is Kind.cipher:
        console.print("# AES-256-GCM key for every stored event and snapshot. Set it before the")
        console.print("# first event is stored: events stored without it cannot be read with it.")
        console.print(f"STEPWISE_CIPHER_KEY={AESCipher.create_key(32)}", soft_wrap=True)
        return
    if kind is Kind.mac:
        console.print("# HMAC-SHA256 key for every event's MAC. Keep it outside the database:")
        console.print("# whoever holds it can forge events that verify.")
        console.print(f"STEPWISE_EVENT_MAC_KEY={base64.b64encode(os.urandom(32)).decode()}",
                      soft_wrap=True)  # fmt: skip
        return
    key = Ed25519PrivateKey.generate()
    console.print("# Ed25519 key signing the audit chain's checkpoints; publish the public key.")
    console.print(f"STEPWISE_AUDIT_KEY={setting_text(key)}", soft_wrap=True)
    public = base64.b64encode(public_bytes(key)).decode()
    console.print(f"# public key: {public}", soft_wrap=True)
