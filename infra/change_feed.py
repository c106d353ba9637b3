"""Finding a caller's events in the change feed: by the feed index (projections.feed) up to
where it has reached, then from the event store itself, so the feed never lags behind a
committed write. Used by the `events` query and by webhook delivery alike."""

from __future__ import annotations

from typing import Any

from domain.care_records import CareRecords
from domain.catalogue import record_type
from infra.projector import Projector
from infra.read_store import ReadStore
from projections.base import Event, Row
from projections.event_records import event_record
from projections.feed import BEGINNINGS, Feed, FeedFilter, feed_page
from projections.people import People, consented, owners

SCAN = 500  # log entries read at a time past where the index has reached


def find_events(
    records: CareRecords, projector: Projector, wanted: FeedFilter, after: int, limit: int
) -> tuple[list[Row], int]:
    """Up to `limit` events the filter admits after a log position, as change-feed records,
    and the last position examined. A filter that follows the person index examines only what
    the index has applied: an event it has not is given once it has, never passed over."""
    store = projector.store
    # (each read model's position counts the events it passed over as not its own)
    positions = projector.positions()
    known = positions[People.name] if wanted.follows_people else None
    upto = positions[Feed.name] if known is None else min(positions[Feed.name], known)
    with store.transaction() as tx:
        found = feed_page(tx, wanted, after, upto, limit)
    log = records.read_at([row["position"] for row in found])
    rows = [event_record(event, position) for position, event in log]
    if len(rows) == limit:
        return rows, rows[-1]["position"]
    examined = max(after, upto)
    while len(rows) < limit and (known is None or examined < known):
        tail = records.read_log(examined, SCAN, stop=known)
        rows += _admitted(store, wanted, tail)
        if tail:
            examined = tail[-1][0]
        if len(tail) < SCAN:
            break
    return rows[:limit], (rows[limit - 1]["position"] if len(rows) >= limit else examined)


def _admitted(store: ReadStore, wanted: FeedFilter, log: list[tuple[int, Event]]) -> list[Row]:
    """The events the filter admits of those the feed index has not reached: described by the
    person index where it has them, else by their own first event and envelope."""
    mine = [(position, event) for position, event in log if _tenant(event) == wanted.tenant_id]
    if not mine:
        return []
    with store.transaction() as tx:
        scopes = owners(tx, {str(event.originator_id) for _, event in mine})
        shared = None
        if wanted.shared_with is not None:
            people = {scope["person_id"] for scope in scopes.values() if scope["person_id"]}
            people |= {record_type(event).person_of(event) or "" for _, event in mine
                       if isinstance(event, BEGINNINGS)} - {""}  # fmt: skip
            shared = consented(tx, people, wanted.shared_with)
    admitted = []
    for position, event in mine:
        row = event_record(event, position)
        scope = scopes.get(row["stream_id"])
        began = isinstance(event, BEGINNINGS)
        described: dict[str, Any] = {
            "tenant_id": row["tenant_id"],
            "record_type": row["stream_type"],
            "event_type": row["event_type"],
            "person_id": scope["person_id"] if scope else (
                record_type(event).person_of(event) if began else None),
            "service_id": scope["service_id"] if scope else row["service_id"],
        }  # fmt: skip
        person = described["person_id"]
        if shared is not None and person is not None and person not in shared:
            continue  # no consent to share with the recipient in force
        if wanted.admits(described):
            admitted.append(row)
    return admitted


def _tenant(event: Event) -> str:
    return str(event.envelope.tenant_id)  # type: ignore[attr-defined]
