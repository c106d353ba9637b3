"""What every kind of record shares: its own times (domain.timeline) and its corrections.

DOMAIN: records are corrected, never edited. A fact recorded in error is marked so by a later
fact of the same record, `EnteredInError`, naming it and saying why (the envelope's reason).
From the correction's recorded time on, the record reads as if the fact had never been
recorded; read as known before then, it still shows it; its history shows both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

import eventsourcing.domain as library
from eventsourcing.domain import Aggregate

from domain.envelope import Envelope
from domain.timeline import InForce

_STRICT: ContextVar[bool] = ContextVar("strict_replay", default=False)


class DoesNotStand(Exception):
    """Replayed strictly, a fact found the record other than as it presumes."""


@contextmanager
def strictly() -> Iterator[None]:
    """Replays in this block check what each fact presumes of the record (see `presume`)."""
    token = _STRICT.set(True)
    try:
        yield
    finally:
        _STRICT.reset(token)


def presume(condition: bool, message: str) -> None:
    """What a fact presumes of the record it changes (a stage under way, a decision agreed).
    Loading a record never checks it: a record stored under older rules still loads. A
    correction replays the rest of a record strictly, so it cannot leave a fact standing on
    one it removed (domain.corrections)."""
    if not condition and _STRICT.get():
        raise DoesNotStand(message)


_RECORDED_AT: ContextVar[datetime | None] = ContextVar("recorded_at", default=None)


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Facts decided in this block are stamped as recorded at `moment`, not now: for records
    written up on the day they were kept elsewhere (the demo's history). Nothing a request
    reaches uses it; times must rise record by record, as the demo's do."""
    token = _RECORDED_AT.set(moment)
    try:
        yield
    finally:
        _RECORDED_AT.reset(token)


class Record(InForce, Aggregate):
    """Base of every kind of record Stepwise keeps."""

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            # The library's clock, looked up when called (tests replace it), unless stamped.
            return _RECORDED_AT.get() or library.datetime_now_with_tzinfo()

    class EnteredInError(Aggregate.Event):
        """A fact of this record marked as entered in error: every replay leaves it out
        (domain.timeline), as known from when this was recorded."""

        envelope: Envelope
        voided_version: int
        voided_type: str  # the event type of the fact, so a history needs no lookup
