"""Idempotent commands: a receipt of what a keyed request wrote, stored in the same
transaction as its events.

A retry with the same key and the same request is answered from the receipt and writes
nothing; the same key with another request is refused. The store's own uniqueness on
(provider, key) decides between concurrent retries, across processes and restarts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from domain.commands import Command
from domain.envelope import CommandContext


@dataclass(frozen=True)
class Receipt:
    tenant_id: str
    key: str
    fingerprint: str
    record_id: str = ""
    version: int = 0
    part_id: str | None = None

    @classmethod
    def requested(cls, context: CommandContext, command: Command) -> Receipt:
        """What a request asked for; two requests are the same when their fingerprints are."""
        request = {
            "command": type(command).__name__,
            "fields": asdict(command),
            "actor": context.actor.id,
            "effectiveAt": context.effective_at.isoformat() if context.effective_at else None,
            "reason": context.reason,
            "expectedVersion": context.expected_version,
        }
        text = json.dumps(request, sort_keys=True, default=str)
        fingerprint = hashlib.sha256(text.encode()).hexdigest()
        return cls(context.tenant_id, context.idempotency_key or "", fingerprint)

    def written(self, record_id: object, version: int, part_id: str | None) -> Receipt:
        return replace(self, record_id=str(record_id), version=version, part_id=part_id)
