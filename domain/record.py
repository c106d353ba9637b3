"""What every kind of record shares: its own times (domain.timeline) and its corrections.

DOMAIN: records are corrected, never edited. A fact recorded in error is marked so by a later
fact of the same record, `EnteredInError`, naming it and saying why (the envelope's reason).
From the correction's recorded time on, the record reads as if the fact had never been
recorded; read as known before then, it still shows it; its history shows both.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.envelope import Envelope
from domain.timeline import InForce


class Record(InForce, Aggregate):
    """Base of every kind of record Stepwise keeps."""

    class EnteredInError(Aggregate.Event):
        """A fact of this record marked as entered in error: every replay leaves it out
        (domain.timeline), as known from when this was recorded."""

        envelope: Envelope
        voided_version: int
        voided_type: str  # the event type of the fact, so a history needs no lookup
