"""The audit chain's latest signed checkpoint, for an inspector to keep, and whether the log
shown now still passes through one kept earlier."""

from __future__ import annotations

import base64
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.access import CHECKERS, readable_by
from api.common import Position
from api.context import Context
from domain.errors import RulesViolated, Violation
from projections.audit_chain import chain_head, latest_checkpoint, link_at, public_bytes
from projections.base import Row, Transaction

ContextInfo = Info[Context, None]


@strawberry.type(description="A link of the audit chain, signed with the provider's Ed25519 key")
class AuditCheckpoint:
    position: Position = strawberry.field(description="The event the checkpoint signs up to")
    hash: str = strawberry.field(description="The chain's link at this position, in hex")
    signature: str | None = strawberry.field(
        description="Ed25519 signature, base64, of 'stepwise-audit-checkpoint:', the position as "
        "8 bytes big-endian, then the link; null when no signing key is set"
    )
    public_key: str | None = strawberry.field(
        description="The raw public key this server signs with, base64 (check it against the "
        "one the provider publishes)"
    )
    algorithm: str = strawberry.field(default="Ed25519", description="The signature's algorithm")


@strawberry.input(description="A checkpoint kept from an earlier answer")
class KeptCheckpoint:
    position: Position = strawberry.field(description="The kept checkpoint's position")
    hash: str = strawberry.field(description="The kept checkpoint's hash, in hex")


@strawberry.type(description="Where the audit chain stands")
class AuditIntegrity:
    head_position: Position = strawberry.field(description="The last event chained so far")
    head_hash: str | None = strawberry.field(description="The last link, in hex (null: none yet)")
    checkpoint: AuditCheckpoint | None = strawberry.field(description="The latest signed one")
    extends_kept: bool | None = strawberry.field(
        description="Whether the chain still passes through the kept checkpoint (null if none "
        "was sent); `stepwise audit verify` checks every stored event against the chain"
    )


async def audit_integrity(
    info: ContextInfo,
    kept: Annotated[KeptCheckpoint | None, strawberry.argument(
        description="A checkpoint kept from an earlier answer: the answer says whether the log "
        "still extends it (default: none to compare)")] = None,
) -> AuditIntegrity:  # fmt: skip
    kept_link = _hash(kept.hash) if kept else None
    # The key is the one this server signs with, never one read back from the database.
    signing = info.context.runtime.settings.audit_signing_key()
    public = base64.b64encode(public_bytes(signing)).decode() if signing else None

    def query(tx: Transaction) -> AuditIntegrity:
        head, checkpoint = chain_head(tx), latest_checkpoint(tx)
        extends = link_at(tx, kept.position) == kept_link if kept else None
        return AuditIntegrity(
            head_position=Position(int(head["position"]) if head else 0),
            head_hash=bytes(head["link"]).hex() if head else None,
            checkpoint=_checkpoint(checkpoint, public) if checkpoint else None,
            extends_kept=extends,
        )

    return await info.context.read(query, "audit_chain")


def _checkpoint(row: Row, public_key: str | None) -> AuditCheckpoint:
    signature = row["signature"]
    return AuditCheckpoint(
        position=Position(int(row["position"])),
        hash=bytes(row["link"]).hex(),
        signature=base64.b64encode(bytes(signature)).decode() if signature is not None else None,
        public_key=public_key,
    )


def _hash(text: str) -> bytes:
    try:
        link = bytes.fromhex(text)
    except ValueError:
        link = b""
    if len(link) != 32:
        violation = Violation("input.audit.hash", "kept.hash", "a link is 64 hexadecimal digits")
        raise RulesViolated([violation])
    return link


@strawberry.type
class Query:
    audit_integrity: AuditIntegrity = strawberry.field(
        resolver=audit_integrity,
        description="The audit chain's head and latest signed checkpoint: keep the checkpoint, "
        "and later send it back as `kept` to see that the log still extends it",
        extensions=readable_by(CHECKERS),
    )
