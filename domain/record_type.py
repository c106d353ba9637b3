"""A kind of record, declared once beside it: its aggregate, the commands on it and who may
issue them, the value types its events hold, what the change feed publishes of each event,
whose record it is, and who may read it. Everything else is derived from these declarations
(domain.catalogue discovers them): the event catalogue and stored names, transcodings,
published payloads, the person index and access-log lookups, and the read table of the feed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import CanInitAggregate

from domain.commands import Registration
from domain.envelope import RECORD_READERS, Role
from domain.publishing import PublishedEvent, correction
from domain.record import Record

PERSON = "person_id"  # the attribute naming the person a record is about, on it and its events
ITSELF = "itself"  # the record is the person's own


@dataclass(frozen=True)
class RecordType:
    aggregate: type[Record]
    commands: Sequence[Registration]
    # One entry per event the record can record (its correction's is derived).
    published: Sequence[PublishedEvent]
    # Dataclasses stored inside its events and state, by the names they are stored under.
    value_types: Mapping[str, type] = field(default_factory=dict)
    # Whose record it is: an attribute naming the person (on the record and its first event),
    # ITSELF for the person's own record, or None for a record about no person.
    person: str | None = PERSON
    service: str | None = None  # for a record about a service, not a person: the attribute
    readers: frozenset[Role] = RECORD_READERS
    snapshot_every: int | None = None  # events between snapshots of a long-lived record
    # Whether its first fact can be marked entered in error: not for a record whose id is
    # derived (one per person, service or provider), which could then never be begun again.
    creation_correctable: bool = True

    @property
    def name(self) -> str:
        return self.aggregate.__name__

    def events(self) -> list[type[Any]]:
        """The events the record can record, in the order its class declares them. The
        library's default `Created` class is left out where the record starts with its own."""
        kind = self.aggregate
        found = [
            value
            for value in vars(kind).values()
            if isinstance(value, type) and issubclass(value, kind.Event) and value is not kind.Event
        ]
        starts = [event for event in found if issubclass(event, CanInitAggregate)]
        if len(starts) > 1:
            found = [event for event in found if event.__name__ != "Created"]
        return found

    @property
    def begun_by(self) -> type[Any]:
        """The event a record of this kind begins with."""
        return next(event for event in self.events() if issubclass(event, CanInitAggregate))

    def all_published(self) -> list[PublishedEvent]:
        return [*self.published, correction(self.name)]

    def person_of(self, subject: Any) -> str | None:
        """The person a record (or its first event) is about, if any."""
        if self.person is None:
            return None
        if self.person == ITSELF:
            record_id = getattr(subject, "originator_id", None) or subject.id
            return str(record_id)
        return str(getattr(subject, self.person))
