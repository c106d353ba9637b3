"""A MAC on every stored event, made at write time with a key the database never holds.

The audit chain (projections.audit_chain) is built from the log by a read model, so whoever can
write to the database can append a row before the chain passes it, or recompute the chain and
its unsigned tail after changing an event. The MAC closes both gaps: each event's stored bytes
begin with an HMAC-SHA256 over its record id, version, topic and state, keyed by
`STEPWISE_EVENT_MAC_KEY`. Without the key no row can be forged, changed, swapped or appended so
that `stepwise audit verify` cannot name its position.

The library builds the mapper and the cipher from its environment (infra.settings): `MacMapper`
always reads the MAC off (so events stay readable if the key is later unset) and writes one when
its cipher is a `MacKey`, which also encrypts when `STEPWISE_CIPHER_KEY` is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import replace
from enum import Enum
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Cipher, Mapper, StoredEvent
from eventsourcing.utils import Environment

MARK = b"\x00SW-MAC\x01"  # no JSON, zlib stream or AES-GCM nonce we write begins with 0x00
MAC_SIZE = 32
ENV_KEY = "EVENT_MAC_KEY"  # where infra.settings passes the key to the library's environment


class Mac(Enum):
    VALID = "valid"
    INVALID = "invalid"  # changed, swapped or forged: the bytes are not what the key signed
    ABSENT = "absent"  # written without a MAC


class MacKey(Cipher):
    """The library's cipher slot, holding the MAC key (and the AES cipher, if one is set)."""

    def __init__(self, environment: Environment) -> None:
        self.key = base64.b64decode(environment.get(ENV_KEY) or "")
        self._aes = AESCipher(environment) if environment.get(AESCipher.CIPHER_KEY) else None

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._aes.encrypt(plaintext) if self._aes else plaintext

    def decrypt(self, ciphertext: bytes) -> bytes:
        return self._aes.decrypt(ciphertext) if self._aes else ciphertext

    def mac(self, record_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
        message = hmac.new(self.key, UUID(str(record_id)).bytes, hashlib.sha256)
        encoded = topic.encode()
        message.update(struct.pack(">qI", version, len(encoded)) + encoded + state)
        return message.digest()

    def check(self, stored: StoredEvent) -> Mac:
        state = bytes(stored.state)
        if not state.startswith(MARK):
            return Mac.ABSENT
        found = state[len(MARK) : len(MARK) + MAC_SIZE]
        body = state[len(MARK) + MAC_SIZE :]
        expected = self.mac(stored.originator_id, stored.originator_version, stored.topic, body)
        return Mac.VALID if hmac.compare_digest(found, expected) else Mac.INVALID


class MacMapper(Mapper[UUID]):
    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        stored = super().to_stored_event(domain_event)
        if not isinstance(self.cipher, MacKey):
            return stored
        mac = self.cipher.mac(
            stored.originator_id, stored.originator_version, stored.topic, stored.state
        )
        return replace(stored, state=MARK + mac + stored.state)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return super().to_domain_event(without_mac(stored_event))


def without_mac(stored: StoredEvent) -> StoredEvent:
    state = stored.state
    if isinstance(state, bytes) and state.startswith(MARK):
        return replace(stored, state=state[len(MARK) + MAC_SIZE :])
    return stored


def mac_key(setting: str) -> MacKey:
    """The key as the verify command uses it, from the setting's text."""
    return MacKey(Environment(env={ENV_KEY: setting}))
