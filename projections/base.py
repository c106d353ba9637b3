"""What every read model shares: the transaction it writes in, and how it folds aggregates.

SQL is written once with `%(name)s` parameters; the SQLite store translates the style.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEvent, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

Row = dict[str, Any]
Params = Mapping[str, Any]
Event = DomainEvent


class Transaction(Protocol):
    dialect: str  # "sqlite" or "postgres"

    def execute(self, sql: str, params: Params | None = None) -> None: ...

    def fetchone(self, sql: str, params: Params | None = None) -> Row | None: ...

    def fetchall(self, sql: str, params: Params | None = None) -> list[Row]: ...


def blob_type(tx: Transaction) -> str:
    return "BYTEA" if tx.dialect == "postgres" else "BLOB"


class Projection(ABC):
    """A read model: its tables, and what each event does to them."""

    name: str
    tables: tuple[str, ...]

    @abstractmethod
    def create_tables(self, tx: Transaction) -> None: ...

    @abstractmethod
    def apply(self, tx: Transaction, event: Event, position: int) -> None:
        """Writes the event's effect. Called inside the transaction that moves the position."""

    def clear(self, tx: Transaction) -> None:
        for table in self.tables:
            tx.execute(f"DELETE FROM {table}")  # table names are constants, never input


class AggregateCodec:
    """Stores an aggregate's state in a read-model row, encoded like the library's snapshots.

    A folding projection rebuilds the previous state from that row and applies the new event
    with the aggregate's own evolve methods, so the read model can never disagree with them.
    """

    _topic = get_topic(Snapshot)

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self._mapper = mapper

    def encode(self, aggregate: Aggregate) -> bytes:
        # Stamped with the aggregate's own time, not the clock, so a rebuild writes equal bytes.
        snapshot = replace(Snapshot.take(aggregate), timestamp=aggregate.modified_on)
        return self._mapper.to_stored_event(snapshot).state

    def decode(self, record_id: str, version: int, state: bytes) -> Aggregate:
        stored = StoredEvent(UUID(record_id), version, self._topic, bytes(state))
        snapshot: Snapshot = self._mapper.to_domain_event(stored)  # type: ignore[assignment]
        return snapshot.mutate(None)  # type: ignore[return-value]


class FoldingProjection(Projection):
    """A table with one row per aggregate of one type, holding its state as it now stands."""

    aggregate_type: type[Aggregate]
    table: str
    key: str

    def __init__(self, codec: AggregateCodec) -> None:
        self.codec = codec

    def apply(self, tx: Transaction, event: Event, position: int) -> None:
        if not isinstance(event, self.aggregate_type.Event):
            return
        record_id = str(event.originator_id)
        row = tx.fetchone(
            f"SELECT version, aggregate_state FROM {self.table} WHERE {self.key} = %(id)s",
            {"id": record_id},
        )
        before = (
            self.codec.decode(record_id, row["version"], row["aggregate_state"]) if row else None
        )
        before_document = self.document(before) if before is not None else {}
        after = event.mutate(before)
        self.write(tx, event, position, after, before_document)

    @staticmethod
    @abstractmethod
    def document(aggregate: Any) -> dict[str, Any]:
        """The record as clients see it (camelCase keys, JSON values)."""

    @abstractmethod
    def write(
        self, tx: Transaction, event: Event, position: int, after: Any, before: dict[str, Any]
    ) -> None: ...
