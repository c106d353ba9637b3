"""Bitemporal state tables: every state a record has been in, with when it took effect and
during which span of recorded time it was the record's account of that moment.

A row (effective_from, recorded_from, recorded_to) says: from `effective_from` until the next
row's effective time, the record stood like this, as known from `recorded_from` until
`recorded_to` (open while nothing recorded since has changed it). Appending a fact adds one row;
a late entry effective at T closes the rows from T onwards and adds rows recomputed from T. So
the state at any (asOf, asKnownAt) is one indexed lookup, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.base import Index, Row, Table, Transaction

STATE_TIMES = ("effective_from", "recorded_from", "recorded_to")


@dataclass(frozen=True)
class Moment:
    """The moment a read describes: what was in force at `as_of`, as recorded by
    `as_known_at`. `now` says both were left to default to the time of the read.
    `shared_with`: for an integration client, the recipients a person's consent to share must
    name (projections.people): lists of people then leave out those who do not consent now."""

    as_of: datetime
    as_known_at: datetime
    now: bool = False
    shared_with: tuple[str, ...] | None = None

    @classmethod
    def current(cls) -> Moment:
        now = datetime.now(UTC)
        return cls(now, now, now=True)


def states_table(name: str, key: str, columns: str, *indexes: Index) -> Table:
    """The states of one kind of record: `columns` as in its current table, plus the times."""
    return Table(
        name,
        f"""{columns},
        effective_from {{timestamp}} NOT NULL,
        recorded_from {{timestamp}} NOT NULL,
        recorded_to {{timestamp}}""",
        primary_key=f"{key}, effective_from, recorded_from",
        indexes=(Index("at", f"{key}, effective_from"), *indexes),
    )


def parts_table(name: str, key: str, columns: str, *indexes: Index) -> Table:
    """Sets of a record's parts over time: each time any of them changes, a row per part (and
    one with an empty `item_key`, so an empty set is a set too), all with the same times."""
    return Table(
        name,
        f"""{columns},
        item_key TEXT NOT NULL,
        effective_from {{timestamp}} NOT NULL,
        recorded_from {{timestamp}} NOT NULL,
        recorded_to {{timestamp}}""",
        primary_key=f"{key}, item_key, effective_from, recorded_from",
        indexes=(Index("at", f"{key}, effective_from"), *indexes),
    )


def timeline_table(name: str) -> Table:
    """When each event of one kind of record took effect and was recorded (and from when it
    was known to be entered in error, if it was), so that a read can find the events to replay
    from a state (read from the event store)."""
    return Table(
        name,
        """record_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        effective_from {timestamp} NOT NULL,
        recorded_at {timestamp} NOT NULL,
        latest_effective_at {timestamp} NOT NULL,
        voided_at {timestamp}""",
        primary_key="record_id, version",
        indexes=(
            Index("at", "record_id, effective_from"),
            Index("known", "record_id, recorded_at"),
        ),
    )


def known_at(alias: str = "") -> str:
    """SQL: the row was the account of its moment at `known_at`."""
    a = f"{alias}." if alias else ""
    return (
        f"{a}recorded_from <= %(known_at)s "
        f"AND ({a}recorded_to IS NULL OR {a}recorded_to > %(known_at)s)"
    )


def state_at(tx: Transaction, table: str, key: str, value: str, moment: Moment) -> Row | None:
    """One record as it stood at the moment, or None if it had not begun (or was not known)."""
    return tx.fetchone(
        f"SELECT * FROM {table} WHERE {key} = %(value)s AND effective_from <= %(as_of)s "
        f"AND {known_at()} ORDER BY effective_from DESC LIMIT 1",
        {"value": value, **parameters(moment)},
    )


def latest_states(table: str, key: str) -> str:
    """SQL selecting, for every record, its state at the moment (alias `s`)."""
    return (
        f"SELECT s.* FROM {table} s WHERE s.effective_from <= %(as_of)s "
        f"AND {known_at('s')} AND NOT EXISTS ("
        f"SELECT 1 FROM {table} t WHERE t.{key} = s.{key} AND t.effective_from <= %(as_of)s "
        f"AND t.effective_from > s.effective_from "
        f"AND {known_at('t')})"
    )


def latest_sets(table: str, key: str) -> str:
    """SQL selecting, for every record, the rows of its set of parts at the moment (alias
    `s`; the marker row of each set included, with an empty `item_key`)."""
    return (
        f"SELECT s.* FROM {table} s WHERE {known_at('s')} AND s.effective_from = ("
        f"SELECT MAX(t.effective_from) FROM {table} t WHERE t.{key} = s.{key} "
        f"AND t.effective_from <= %(as_of)s AND {known_at('t')})"
    )


def parameters(moment: Moment) -> dict[str, Any]:
    found: dict[str, Any] = {"as_of": moment.as_of, "known_at": moment.as_known_at}
    if moment.shared_with is not None:
        now = datetime.now(UTC)
        found |= {"sharing_today": now.date().isoformat(), "sharing_now": now}
        found |= {f"recipient{n}": r for n, r in enumerate(moment.shared_with)}
    return found


def close_states(tx: Transaction, table: str, key: str, value: str, since: datetime,
                 at: datetime) -> None:  # fmt: skip
    """Ends, at `at`, the open account of every state from `since` onwards (one begun at that
    very instant was never visible, and is replaced)."""
    tx.execute(
        f"DELETE FROM {table} WHERE {key} = %(value)s AND recorded_to IS NULL "
        "AND effective_from >= %(since)s AND recorded_from >= %(at)s",
        {"value": value, "since": since, "at": at},
    )
    tx.execute(
        f"UPDATE {table} SET recorded_to = %(at)s WHERE {key} = %(value)s "
        "AND recorded_to IS NULL AND effective_from >= %(since)s",
        {"value": value, "since": since, "at": at},
    )
