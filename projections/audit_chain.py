"""audit_chain: a hash chain over the global log, so that any change to a stored event, and any
event deleted or slipped in later, can be pinpointed.

Each link hashes the link before it, the event's position and the event's stored bytes (record,
version, topic, state) exactly as the store holds them. A read model builds the chain by
following the log, so writers never wait on it. Every CHECKPOINT_EVERY links it signs the
latest one with the provider's Ed25519 key, and it signs the head on time as well (each
STEPWISE_AUDIT_CHECKPOINT_SECONDS with new links): whoever keeps a signed checkpoint can later
show that the log they are shown still extends it, and a chain rewritten by someone without the
key no longer matches the checkpoints.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable, Sequence
from typing import Any, ClassVar
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from eventsourcing.persistence import Notification

from domain.catalogue import ALL_EVENTS
from projections.base import Batch, ReadModel, Row, Table, Tables, Transaction, handles

GENESIS = bytes(32)  # the link before the first event
CHECKPOINT_EVERY = 50  # links between signed checkpoints

ReadStored = Callable[[int, int], Sequence[Notification]]  # (first, last position) -> as stored


def link(previous: bytes, notification: Notification) -> bytes:
    """The next link: every length is written out, so no two events hash the same way."""
    topic = notification.topic.encode()
    state = notification.state
    if not isinstance(state, bytes):  # put there around the application: it cannot match
        state = str(state).encode()
    digest = hashlib.sha256(previous)
    digest.update(struct.pack(">qq", notification.id, notification.originator_version))
    digest.update(UUID(str(notification.originator_id)).bytes)
    digest.update(struct.pack(">I", len(topic)) + topic)
    digest.update(struct.pack(">Q", len(state)) + state)
    return digest.digest()


def signed_message(position: int, chain_link: bytes) -> bytes:
    return b"stepwise-audit-checkpoint:" + struct.pack(">q", position) + chain_link


class AuditChain(ReadModel):
    name = "audit_chain"
    version = 1
    evidence = True
    stored_bytes = True
    applies_alone = True  # evidence, signed at checkpoints: nothing else waits for it
    tables: ClassVar[tuple[Table, ...]] = (
        Table(
            "audit_chain",
            "position BIGINT NOT NULL, length BIGINT NOT NULL, link {blob} NOT NULL",
            "position",
        ),
        Table(
            "audit_checkpoints",
            """position BIGINT NOT NULL,
            link {blob} NOT NULL,
            signature {blob},
            public_key {blob}""",
            "position",
        ),
    )

    def __init__(self, read_stored: ReadStored, signing_key: Ed25519PrivateKey | None,
                 checkpoint_seconds: float | None = None) -> None:  # fmt: skip
        self._read_stored = read_stored
        self._signing_key = signing_key
        self.on_time_every = checkpoint_seconds

    @handles(*ALL_EVENTS)
    def _every_event(self, *_: Any) -> None:
        """The chain covers every event; apply() reads their stored bytes itself."""

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        chain, checkpoints = tables["audit_chain"], tables["audit_checkpoints"]
        head = tx.fetchone(f"SELECT link, length FROM {chain} ORDER BY position DESC LIMIT 1")
        previous, length = (bytes(head["link"]), int(head["length"])) if head else (GENESIS, 0)
        links, signed = [], []
        for notification in self._read_stored(batch[0][0], batch[-1][0]):
            previous = link(previous, notification)
            length += 1
            links.append((notification.id, length, previous))
            if length % CHECKPOINT_EVERY == 0:
                signed.append(self._checkpoint(notification.id, previous))
        tx.copy(chain, ("position", "length", "link"), links)
        tx.copy(checkpoints, ("position", "link", "signature", "public_key"), signed)

    def on_time(self, tx: Transaction, tables: Tables) -> None:
        """Between the counted checkpoints, the head is signed on time too, so a quiet log's
        last events are not left to the chain alone for long."""
        chain, checkpoints = tables["audit_chain"], tables["audit_checkpoints"]
        head = tx.fetchone(f"SELECT position, link FROM {chain} ORDER BY position DESC LIMIT 1")
        signed = tx.fetchone(f"SELECT max(position) AS position FROM {checkpoints}")
        if head is None or int(head["position"]) <= int((signed or {}).get("position") or 0):
            return
        taken = self._checkpoint(int(head["position"]), bytes(head["link"]))
        tx.copy(checkpoints, ("position", "link", "signature", "public_key"), [taken])

    def _checkpoint(self, position: int, chain_link: bytes) -> tuple[Any, ...]:
        if self._signing_key is None:
            return position, chain_link, None, None
        signature = self._signing_key.sign(signed_message(position, chain_link))
        return position, chain_link, signature, public_bytes(self._signing_key)


def setting_text(key: Ed25519PrivateKey) -> str:
    """The key as STEPWISE_AUDIT_KEY takes it: base64 of its 32 raw bytes."""
    return base64.b64encode(
        key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    ).decode()


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


# -- queries ---------------------------------------------------------------------------------


def chain_head(tx: Transaction) -> Row | None:
    """The last link: its position, how many links lead to it, and the link."""
    return tx.fetchone(
        "SELECT position, length, link FROM audit_chain ORDER BY position DESC LIMIT 1"
    )


def latest_checkpoint(tx: Transaction) -> Row | None:
    return tx.fetchone("SELECT * FROM audit_checkpoints ORDER BY position DESC LIMIT 1")


def link_at(tx: Transaction, position: int) -> bytes | None:
    row = tx.fetchone("SELECT link FROM audit_chain WHERE position = %(p)s", {"p": position})
    return bytes(row["link"]) if row else None
