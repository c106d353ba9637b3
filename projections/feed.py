"""feed: where each event of the log stands, so the change feed finds a provider's events (of
some types, of one person or service) by index rather than by reading the whole log.

A row per event: its position, provider, record, kind of record, event type, whose record it
is and the service it was recorded in. The events themselves are read from the event store by
position; the feed reads the few positions this index has not reached yet from the log itself
(api.slices.change_feed), so it never lags behind a committed write.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from domain.catalogue import ALL_EVENTS, DECLARED, record_type
from projections.base import Batch, Event, Index, ReadModel, Table, Tables, Transaction, handles
from projections.chronology import people_of
from projections.event_records import event_type
from projections.people import sharing_in_force, sharing_parameters

BEGINNINGS = tuple(kind.begun_by for kind in DECLARED)
COLUMNS = ("position", "tenant_id", "record_id", "record_type", "version", "event_type",
           "person_id", "service_id")  # fmt: skip


class Feed(ReadModel):
    name = "feed"
    version = 2
    tables = (
        Table(
            "feed",
            """position BIGINT NOT NULL,
            tenant_id TEXT NOT NULL,
            record_id TEXT NOT NULL,
            record_type TEXT NOT NULL,
            version INTEGER NOT NULL,
            event_type TEXT NOT NULL,
            person_id TEXT,
            service_id TEXT""",
            primary_key="position",
            indexes=(
                Index("by_tenant", "tenant_id, position"),
                Index("by_type", "tenant_id, event_type, position"),
                Index("by_person", "person_id, position"),
                # An integration client's page: records of no person, and consenting people's.
                Index("by_tenant_person", "tenant_id, person_id, position"),
                Index("by_record", "record_id, version"),
            ),
        ),
    )

    @handles(*ALL_EVENTS)
    def _every_event(self, *_: Any) -> None:
        """Every event has its row (see `apply`)."""

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        table = tables["feed"]
        people = people_of(tx, table, batch)
        tx.copy(table, COLUMNS, (_row(position, event, people) for position, event in batch))


def _row(position: int, event: Event, people: dict[str, str | None]) -> tuple[Any, ...]:
    envelope = event.envelope  # type: ignore[attr-defined]
    record = str(event.originator_id)
    return (position, envelope.tenant_id, record, record_type(event).name,
            event.originator_version, event_type(event), people.get(record),
            envelope.service_id)  # fmt: skip


# -- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedFilter:
    """Which events a caller is given: of their provider and the kinds of record their role
    reads; with `services`, of records whose person those services now support (the person
    index's scope: for a record of no person, the service it was recorded in); and only the
    event types, kinds of record, person and service asked for, where asked."""

    tenant_id: str
    readable: Collection[str]  # kinds of record
    services: Collection[str] | None = None
    event_types: Collection[str] | None = None
    record_types: Collection[str] | None = None
    person_id: str | None = None
    service_id: str | None = None
    # For an integration client (or a webhook delivering for one): the recipients a person's
    # consent to share must name for their records' events to be given (None: not gated).
    shared_with: Collection[str] | None = None

    @property
    def follows_people(self) -> bool:
        """Whether what is given depends on consents to share, which the person index keeps:
        then events are given only once it has applied them (a consent given or withdrawn
        just before must not be missed). Without consent, a record the index has not reached
        yet is placed by its first event and envelope instead, so the feed does not wait."""
        return self.shared_with is not None

    def admits(self, row: dict[str, Any]) -> bool:
        """The same test but consent, for a row described the same way (an event not indexed
        yet; its person's consent is checked with `consented`)."""
        service = row["service_id"]
        return (
            row["tenant_id"] == self.tenant_id
            and row["record_type"] in self.readable
            and (self.services is None or service in self.services)
            and (self.event_types is None or row["event_type"] in self.event_types)
            and (self.record_types is None or row["record_type"] in self.record_types)
            and (self.person_id is None or row["person_id"] == self.person_id)
            and (self.service_id is None or service == self.service_id)
        )


def feed_page(
    tx: Transaction, wanted: FeedFilter, after: int, upto: int, limit: int
) -> list[dict[str, Any]]:
    """The positions (with their record's person and service now) of the events the filter
    admits, after `after` and up to `upto`, in log order: at most `limit`."""
    params: dict[str, Any] = {"tenant": wanted.tenant_id, "after": after, "upto": upto,
                              "limit": limit}  # fmt: skip
    where = ["f.tenant_id = %(tenant)s", "f.position > %(after)s", "f.position <= %(upto)s",
             _one_of("f.record_type", "readable", wanted.readable, params)]  # fmt: skip
    service = "COALESCE(p.service_id, f.service_id)"
    if wanted.services is not None:
        where.append(_one_of(service, "reach", wanted.services, params))
    if wanted.event_types is not None:
        where.append(_one_of("f.event_type", "type", wanted.event_types, params))
    if wanted.record_types is not None:
        where.append(_one_of("f.record_type", "kind", wanted.record_types, params))
    if wanted.person_id is not None:
        where.append("f.person_id = %(person)s")
        params["person"] = wanted.person_id
    if wanted.service_id is not None:
        where.append(f"{service} = %(service)s")
        params["service"] = wanted.service_id
    select = (
        f"SELECT f.position, f.record_id, f.person_id, {service} AS service_id FROM feed f "
        "LEFT JOIN people p ON p.person_id = f.person_id WHERE "
    )
    ordered = " ORDER BY f.position LIMIT %(limit)s"
    if wanted.shared_with is None:
        return tx.fetchall(select + " AND ".join(where) + ordered, params)
    # Only records of no person, and those of people whose consent names the recipient: each
    # found through the index by person, so a page costs what the caller may read, not what
    # the provider wrote.
    params |= sharing_parameters(wanted.shared_with)
    consenting = (
        "f.person_id IN (SELECT c.person_id FROM sharing_consents c "
        f"WHERE {sharing_in_force('c', wanted.shared_with)})"
    )
    parts = [select + " AND ".join([*where, gate]) + ordered
             for gate in ("f.person_id IS NULL", consenting)]  # fmt: skip
    return tx.fetchall(
        f"SELECT * FROM ({parts[0]}) AS unowned UNION ALL SELECT * FROM ({parts[1]}) AS shared "
        "ORDER BY position LIMIT %(limit)s",
        params,
    )


def _one_of(column: str, prefix: str, values: Collection[str], params: dict[str, Any]) -> str:
    if not values:
        return "1 = 0"
    names = {f"{prefix}{n}": value for n, value in enumerate(sorted(values))}
    params |= names
    return f"{column} IN ({', '.join(f'%({name})s' for name in names)})"
