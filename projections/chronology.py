"""chronology: one account of a person across every kind of record, a row per recorded fact
(its envelope, and its payload as the change feed publishes it), in order of when it took
effect. A fact later marked entered in error keeps its row, stamped with when that became known;
the correction has a row of its own. Records about no person (a service's practice, a
provider's policy) have no rows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from domain.catalogue import ALL_EVENTS, DECLARED, published, record_type
from domain.timeline import is_correction
from projections.base import (
    Batch,
    Event,
    Index,
    ReadModel,
    Row,
    Table,
    Tables,
    Transaction,
    handles,
)
from projections.event_records import dumps, event_type

BEGINNINGS = tuple(kind.begun_by for kind in DECLARED)
COLUMNS = ("position", "person_id", "tenant_id", "record_type", "record_id", "version",
           "event_type", "effective_at", "recorded_at", "actor_id", "actor_name", "actor_role",
           "reason", "causation_id", "correlation_id", "payload")  # fmt: skip
LOOKUP_CHUNK = 500  # record ids per lookup of whose records they are


class Chronology(ReadModel):
    name = "chronology"
    version = 1
    tables = (
        Table(
            "chronology",
            """position BIGINT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            event_type TEXT NOT NULL,
            effective_at {timestamp} NOT NULL,
            recorded_at {timestamp} NOT NULL,
            actor_id TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            actor_role TEXT NOT NULL,
            reason TEXT,
            causation_id TEXT,
            correlation_id TEXT NOT NULL,
            payload TEXT NOT NULL,
            voided_at {timestamp}""",
            primary_key="position",
            indexes=(
                Index("by_person", "person_id, effective_at, position"),
                # What was recorded about a person after a moment: a reconstruction's
                # late entries, found without reading the history before it.
                Index("by_person_recorded", "person_id, recorded_at"),
                Index("by_record", "record_id, version"),
            ),
        ),
    )

    @handles(*ALL_EVENTS)
    def _every_event(self, *_: Any) -> None:
        """Every fact of every record is a person's, or of no person (see `apply`)."""

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        table = tables["chronology"]
        people = people_of(tx, table, batch)
        rows = [_row(position, event, person) for position, event in batch
                if (person := people.get(str(event.originator_id)))]  # fmt: skip
        tx.copy(table, COLUMNS, rows)
        # A fact entered in error stays in the chronology, marked from when that was recorded.
        voided = [_voided(event) for _, event in batch
                  if is_correction(event) and people.get(str(event.originator_id))]  # fmt: skip
        tx.executemany(f"UPDATE {table} SET voided_at = %(at)s WHERE record_id = %(record)s "
                       "AND version = %(version)s", voided)  # fmt: skip


def people_of(tx: Transaction, table: str, batch: Batch) -> dict[str, str | None]:
    """Whose record each event of the batch belongs to (None: no person's): from a record's
    first event, in this batch or as `table` kept it (a table with a row per event, keyed by
    `record_id` and `version`, holding `person_id`: this one, or the feed's)."""
    found: dict[str, str | None] = {}
    for _, event in batch:
        if isinstance(event, BEGINNINGS):
            found[str(event.originator_id)] = record_type(event).person_of(event)
    earlier = sorted({str(event.originator_id) for _, event in batch} - set(found))
    found |= dict.fromkeys(earlier)
    # A person's record has the row of its first event (version 1), even once voided.
    for start in range(0, len(earlier), LOOKUP_CHUNK):
        names = {f"r{n}": record for n, record in enumerate(earlier[start : start + LOOKUP_CHUNK])}
        rows = tx.fetchall(
            f"SELECT record_id, person_id FROM {table} WHERE version = 1 "
            f"AND record_id IN ({', '.join(f'%({name})s' for name in names)})",
            names,
        )
        found |= {row["record_id"]: row["person_id"] for row in rows}
    return found


def _row(position: int, event: Event, person_id: str) -> tuple[Any, ...]:
    envelope = event.envelope  # type: ignore[attr-defined]
    actor = envelope.actor
    return (position, person_id, envelope.tenant_id, record_type(event).name,
            str(event.originator_id), event.originator_version, event_type(event),
            envelope.effective_at, event.timestamp, actor.id, actor.name, actor.role.value,
            envelope.reason, envelope.causation_id, envelope.correlation_id,
            dumps(published(event).payload(event)))  # fmt: skip


def _voided(correction: Any) -> Row:
    return {"at": correction.timestamp, "record": str(correction.originator_id),
            "version": correction.voided_version}  # fmt: skip


# -- queries ---------------------------------------------------------------------------------
# Instants are passed as datetimes: the SQLite store writes them as the sortable UTC text its
# columns hold, so comparisons mean the same on both backends.


def chronology_page(
    tx: Transaction,
    person_id: str,
    *,
    effective_from: datetime | None,
    effective_to: datetime,
    known_at: datetime,
    record_types: Collection[str] | None,
    after: tuple[datetime, int] | None,
    first: int,
) -> list[Row]:
    """A person's facts recorded by `known_at` that took effect from `effective_from` (if
    given) to `effective_to`, of these kinds of record (None: every kind), in order of
    effective time then log position, after the (effective time, position) `after`; one row
    more than asked, to say whether more follow."""
    if record_types is not None and not record_types:
        return []
    params: dict[str, Any] = {"person": person_id, "to": effective_to, "known_at": known_at,
                              "from": effective_from, "limit": first + 1}  # fmt: skip
    where = ["person_id = %(person)s", "effective_at <= %(to)s", "recorded_at <= %(known_at)s"]
    if effective_from is not None:
        where.append("effective_at >= %(from)s")
    if record_types is not None:
        kinds = {f"k{n}": kind for n, kind in enumerate(sorted(record_types))}
        where.append(f"record_type IN ({', '.join(f'%({name})s' for name in kinds)})")
        params |= kinds
    if after is not None:
        where.append("(effective_at > %(after_at)s OR (effective_at = %(after_at)s "
                     "AND position > %(after_position)s))")  # fmt: skip
        params |= {"after_at": after[0], "after_position": after[1]}
    return tx.fetchall(f"SELECT * FROM chronology WHERE {' AND '.join(where)} "
                       "ORDER BY effective_at, position LIMIT %(limit)s", params)  # fmt: skip


def entries(
    tx: Transaction,
    person_id: str,
    *,
    known_at: datetime,
    effective_to: datetime | None = None,
    effective_after: datetime | None = None,
    recorded_after: datetime | None = None,
    causation_prefix: str | None = None,
) -> list[Row]:
    """A person's facts recorded by `known_at`, in order of effective time then log position:
    only those that took effect by `effective_to` and after `effective_after`, were recorded
    after `recorded_after`, and followed from an event whose id starts `causation_prefix`
    (`<recordId>/` for any of a record's), each if given. So: the late entries and
    corrections recorded after T about what was in force at T, or what followed T."""
    params: dict[str, Any] = {"person": person_id, "known_at": known_at, "to": effective_to,
                              "after": effective_after, "recorded": recorded_after,
                              "prefix": causation_prefix,
                              "length": len(causation_prefix or "")}  # fmt: skip
    where = ["person_id = %(person)s", "recorded_at <= %(known_at)s"]
    conditions = (
        (effective_to, "effective_at <= %(to)s"),
        (effective_after, "effective_at > %(after)s"),
        (recorded_after, "recorded_at > %(recorded)s"),
        # substr, not LIKE: exact on both backends (SQLite's LIKE ignores case).
        (causation_prefix, "substr(causation_id, 1, %(length)s) = %(prefix)s"),
    )
    where += [condition for given, condition in conditions if given is not None]
    if recorded_after is None:
        return tx.fetchall(f"SELECT * FROM chronology WHERE {' AND '.join(where)} "
                           "ORDER BY effective_at, position", params)  # fmt: skip
    # Sorted here: ordered in SQL, the planner would walk the whole history by effective time
    # rather than the few facts recorded since (by the person's recorded-time index).
    rows = tx.fetchall(f"SELECT * FROM chronology WHERE {' AND '.join(where)}", params)
    return sorted(rows, key=lambda row: (row["effective_at"], row["position"]))


def position_in(tx: Transaction, person_id: str, position: int) -> tuple[datetime, int] | None:
    """Where one of a person's facts stands in their chronology, (effective time, position), to
    page on after it; None if the position is none of theirs."""
    row = tx.fetchone(
        "SELECT effective_at FROM chronology WHERE position = %(p)s AND person_id = %(person)s",
        {"p": position, "person": person_id},
    )
    return (instant(row["effective_at"]), position) if row else None


def instant(value: Any) -> datetime:
    """An instant from a column (timestamptz, or UTC text on SQLite), in UTC."""
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found.astimezone(UTC)


def record_versions(
    tx: Transaction, person_id: str, record_id: str, *, known_at: datetime,
    recorded_after: datetime | None, before_version: int | None, first: int,
) -> list[Row]:  # fmt: skip
    """One record's versions recorded by `known_at` (and after `recorded_after`, if given),
    newest first, below `before_version` if given; one row more than asked."""
    params: dict[str, Any] = {"person": person_id, "record": record_id, "known_at": known_at,
                              "after": recorded_after, "before": before_version,
                              "limit": first + 1}  # fmt: skip
    where = ["person_id = %(person)s", "record_id = %(record)s", "recorded_at <= %(known_at)s"]
    if recorded_after is not None:
        where.append("recorded_at > %(after)s")
    if before_version is not None:
        where.append("version < %(before)s")
    return tx.fetchall(f"SELECT * FROM chronology WHERE {' AND '.join(where)} "
                       "ORDER BY version DESC LIMIT %(limit)s", params)  # fmt: skip
