"""Records kept folded in memory between commands (STEPWISE_RECORD_CACHE_SIZE).

A command is decided on copies of what the cache holds, without asking the store about each
record as it is read: the records it took are listed (`consulting`), and before its save the
store is asked once whether any of them has changed since. If one has (another process wrote
to it), nothing is written, the record is forgotten here, and the command is decided again on
what the store holds; a refusal is checked the same way before it is given. The cache never
hands out what it keeps: commands get copies, and a saved record's new events are folded onto
what is kept under the lock every copy is taken under.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar
from uuid import UUID

from cachetools import LRUCache
from eventsourcing.domain import Aggregate

from domain.timeline import OutOfOrder, replay

A = TypeVar("A", bound=Aggregate)

# The records a command being decided took from the cache, and the version each was at.
_consulted: ContextVar[dict[UUID, int] | None] = ContextVar("consulted", default=None)


class RecordsChanged(Exception):
    """Records a command was decided on changed in the store before it was saved."""

    def __init__(self, record_ids: Sequence[UUID]) -> None:
        self.record_ids = list(record_ids)
        super().__init__(f"changed since they were read: {', '.join(map(str, record_ids))}")


def copied(record: A) -> A:
    """A copy nothing else holds: a round trip through pickle, twice as fast here as deepcopy
    for a plan of some history."""
    copy: A = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    return copy


def consulted_now() -> dict[UUID, int] | None:
    """The records the command being decided took from the cache, if any."""
    return _consulted.get() or None


@contextmanager
def consulting() -> Iterator[None]:
    """Lists, for the block, each record a command takes from the cache and its version."""
    token = _consulted.set({})
    try:
        yield
    finally:
        _consulted.reset(token)


class RecordCache:
    def __init__(self, size: int) -> None:
        self._records: LRUCache[UUID, Aggregate] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def for_command(self, record_id: UUID) -> Aggregate | None:
        """A copy of the record as kept, if it is kept and a command is being decided (which
        then lists it to be checked before its save); None otherwise."""
        consulted = _consulted.get()
        if consulted is None:
            return None
        copy = self.kept(record_id)
        if copy is not None:
            consulted[record_id] = copy.version
        return copy

    def kept(self, record_id: UUID) -> Aggregate | None:
        """A copy of the record as kept, if it is."""
        with self._lock:  # never copied while a save folds events onto it
            kept = self._records.get(record_id)
            return copied(kept) if kept is not None else None

    def keep(self, record: Aggregate) -> None:
        """Keeps a copy of a record read from the store, unless a later version is kept."""
        copy = copied(record)
        with self._lock:
            kept = self._records.get(record.id)
            if kept is None or kept.version < copy.version:
                self._records[record.id] = copy

    def saved(self, record_id: UUID, decided_on: int, events: Iterable[Any]) -> None:
        """A command saved these events of a record it decided on at a version: they are folded
        onto the record as kept at that version (in place: copies are taken under the same
        lock). A record kept at another version, or whose new events take effect before what
        it holds, is forgotten instead (the next use folds it from the store)."""
        with self._lock:
            kept = self._records.get(record_id)
            if kept is None or kept.version != decided_on:
                return
            try:  # OutOfOrder is raised before any event is applied
                replay(kept, list(events))
            except OutOfOrder:
                del self._records[record_id]

    def forget(self, record_ids: Iterable[UUID]) -> None:
        with self._lock:
            for record_id in record_ids:
                self._records.pop(record_id, None)
