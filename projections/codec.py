"""How a read model keeps a record's state in a row: encoded like the library's snapshots, and
read back; and how it reaches a record's events in the store (for late entries, corrections and
reads at a moment)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

History = Callable[..., list[Any]]  # (record id, up to version[, after version]) -> its events


class AggregateCodec:
    _topic = get_topic(Snapshot)

    def __init__(self, mapper: Mapper[UUID], history: History | None = None) -> None:
        self._mapper = mapper
        self._history = history

    def encode(self, aggregate: Aggregate) -> bytes:
        # Stamped with the record's own time, not the clock, so a rebuild writes equal bytes.
        snapshot = replace(Snapshot.take(aggregate), timestamp=aggregate.modified_on)
        return self._mapper.to_stored_event(snapshot).state

    def decode(self, record_id: str, version: int, state: bytes) -> Aggregate:
        stored = StoredEvent(UUID(record_id), version, self._topic, bytes(state))
        snapshot: Snapshot = self._mapper.to_domain_event(stored)  # type: ignore[assignment]
        return snapshot.mutate(None)  # type: ignore[return-value]

    def history(self, record_id: UUID, up_to_version: int, after_version: int = 0) -> list[Any]:
        """A record's events after one version and up to another, as recorded."""
        if self._history is None:
            raise RuntimeError("this read model needs the event store's history")
        return self._history(record_id, up_to_version, after_version)
