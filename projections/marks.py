"""Marks: what governance counts about a record, kept as it is folded (projections.folding).

A mark is a flag a record carries over a span of effective time (a review falling due, a
restriction in force, an outcome without micro-steps), or a point in effective time (a review
held, a stage completed, a note written). Each row says: from `effective_from` until
`effective_to` (open while it still holds; equal for a point), the record carried this mark, as
recorded from `recorded_from` until `recorded_to`. So the records marked at any (asOf,
asKnownAt) are a range query over rows, not a walk over records, and a late entry or a
correction ends the account of the marks it changes and adds the new ones, as of its recording.

A mark's `on` is a date a measure compares with the moment asked (when a review is due, when a
plan last changed); `detail` is text a measure reads (a note's words, how a review was held).
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from projections.base import Index, Row, Table, Transaction

MARK_COLUMNS = ("record_id", "tenant_id", "person_id", "service_id", "team_id", "measure",
                "item_key", "on_date", "detail", "effective_from", "effective_to",
                "recorded_from", "recorded_to")  # fmt: skip


@dataclass(frozen=True)
class Mark:
    """One mark of a record: `measure` and `item` (which part of the record) name it; a mark
    whose `on` or `detail` changes is another mark from then."""

    measure: str
    item: str = ""
    on: date | None = None
    detail: str | None = None
    # For records about a service rather than a person (staff): where the record stood.
    service_id: str | None = None
    team_id: str | None = None


Marks = dict[tuple[str, str], Mark]
Change = tuple[int, Row, datetime]  # +1 or -1, a mark row as stored, when it changed
ON_TIME, LATE = "on time", "late"  # how a review was held, against the date it was due by


def marks_table(name: str) -> Table:
    return Table(
        name,
        """record_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        person_id TEXT,
        service_id TEXT,
        team_id TEXT,
        measure TEXT NOT NULL,
        item_key TEXT NOT NULL,
        on_date TEXT,
        detail TEXT,
        effective_from {timestamp} NOT NULL,
        effective_to {timestamp},
        recorded_from {timestamp} NOT NULL,
        recorded_to {timestamp}""",
        primary_key="record_id, measure, item_key, effective_from, recorded_from",
        indexes=(
            Index("by_measure", "tenant_id, measure, effective_from"),
            Index("open", "tenant_id, measure, recorded_to, effective_to"),
            # governance's tallies pair a person's marks with where they were placed
            Index("person", "person_id, measure, recorded_to"),
        ),
    )


def utc_day(instant: datetime) -> date:
    """The day an instant falls on, in UTC (as every date a governance question compares)."""
    return instant.astimezone(UTC).date()


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last, if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def keyed(marks: list[Mark]) -> Marks:
    return {(mark.measure, mark.item): mark for mark in marks}


@dataclass
class MarkLog:
    """The marks a batch adds to one read model's table, and how their account ends: in the
    batch's own rows, and by SQL in the rows stored before it."""

    tx: Transaction
    table: str
    rows: list[Row]
    # With a list: each change to the rows stored before the batch that are the account of
    # their moment now (+1 a row that became so, -1 one that no longer is, and when), for
    # governance's tallies (projections.tallies).
    changes: list[Change] | None = None

    def open(self, owner: tuple[str, str, str | None], mark: Mark, moment: datetime,
             at: datetime, *, point: bool = False) -> None:  # fmt: skip
        """`owner`: the record's id, its provider and its person (None for staff)."""
        record, tenant, person_id = owner
        self.rows.append({
            "record_id": record, "tenant_id": tenant, "person_id": person_id,
            "service_id": mark.service_id, "team_id": mark.team_id, "measure": mark.measure,
            "item_key": mark.item, "on_date": mark.on.isoformat() if mark.on else None,
            "detail": mark.detail, "effective_from": moment,
            "effective_to": moment if point else None, "recorded_from": at, "recorded_to": None,
        })  # fmt: skip

    def end(self, record: str, mark: Mark, moment: datetime, at: datetime, stored: bool) -> None:
        """The mark no longer holds from `moment`, as recorded at `at`."""
        match = {"record": record, "measure": mark.measure, "item": mark.item}
        for row in self._open_rows(record):
            same = (row["measure"], row["item_key"]) == (mark.measure, mark.item)
            if same and row["effective_to"] is None:
                self._truncate(row, moment, at)
        if stored:
            self._truncate_stored(" AND measure = %(measure)s AND item_key = %(item)s",
                                  match, moment, at, only_open=True)  # fmt: skip

    def close_from(self, record: str, since: datetime, at: datetime, stored: bool) -> None:
        """A late entry or a correction rewrites the record's account from `since`: every mark
        reaching past it ends there, every mark (and point) from then on is closed; the replay
        from `since` adds them again as they now stand."""
        for row in self._open_rows(record):
            if row["effective_from"] >= since:
                self._close(row, at)
            elif row["effective_to"] is None or row["effective_to"] > since:
                self._truncate(row, since, at)
        if stored:
            self._truncate_stored("", {"record": record}, since, at, only_open=False)

    def _open_rows(self, record: str) -> list[Row]:
        return [r for r in self.rows if r["record_id"] == record and r["recorded_to"] is None]

    def _truncate(self, row: Row, moment: datetime, at: datetime) -> None:
        if row["effective_from"] >= moment:
            self._close(row, at)
        elif row["recorded_from"] >= at:
            row["effective_to"] = moment  # never the account of anything else: ended in place
        else:
            row["recorded_to"] = at
            self.rows.append({**row, "effective_to": moment, "recorded_from": at,
                              "recorded_to": None})  # fmt: skip

    def _close(self, row: Row, at: datetime) -> None:
        if row["recorded_from"] >= at:
            self.rows.remove(row)
        else:
            row["recorded_to"] = at

    def _truncate_stored(self, which: str, params: dict[str, Any], moment: datetime,
                         at: datetime, *, only_open: bool) -> None:  # fmt: skip
        table, tx = self.table, self.tx
        mine = f"record_id = %(record)s{which} AND recorded_to IS NULL"
        reaching = ("effective_to IS NULL" if only_open
                    else "(effective_to IS NULL OR effective_to > %(moment)s)")  # fmt: skip
        params = {**params, "moment": moment, "at": at}
        before = self._known_now(mine, params) if self.changes is not None else None
        # Rows recorded at this very instant were never the account of anything: changed in place.
        ending = " AND effective_to IS NULL" if only_open else ""
        tx.execute(f"DELETE FROM {table} WHERE {mine} AND recorded_from >= %(at)s "
                   f"AND effective_from >= %(moment)s{ending}", params)  # fmt: skip
        tx.execute(f"UPDATE {table} SET effective_to = %(moment)s WHERE {mine} "
                   f"AND recorded_from >= %(at)s AND {reaching}", params)  # fmt: skip
        columns = ", ".join(MARK_COLUMNS)
        copied = ", ".join(
            {"effective_to": "%(moment)s", "recorded_from": "%(at)s", "recorded_to": "NULL"}.get(
                column, column
            )
            for column in MARK_COLUMNS
        )
        tx.execute(f"INSERT INTO {table} ({columns}) SELECT {copied} FROM {table} WHERE {mine} "
                   f"AND recorded_from < %(at)s AND effective_from < %(moment)s AND {reaching}",
                   params)  # fmt: skip
        tx.execute(f"UPDATE {table} SET recorded_to = %(at)s WHERE {mine} "
                   f"AND recorded_from < %(at)s AND ({reaching} OR effective_from >= %(moment)s)",
                   params)  # fmt: skip
        if before is not None and self.changes is not None:
            after = Counter(self._known_now(mine, params))
            lost, gained = Counter(before) - after, after - Counter(before)
            for sign, rows in ((-1, lost), (1, gained)):
                for row in rows.elements():
                    self.changes.append((sign, dict(zip(MARK_COLUMNS, row, strict=True)), at))

    def _known_now(self, mine: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        columns = ", ".join(MARK_COLUMNS)
        rows = self.tx.fetchall(f"SELECT {columns} FROM {self.table} WHERE {mine}", params)
        return [tuple(mark_row(row).values()) for row in rows]


INSTANTS = ("effective_from", "effective_to", "recorded_from", "recorded_to")


def mark_row(row: Row) -> Row:
    """A mark row as read back, its columns in order and its instants as instants."""
    return {c: instant(row[c]) if c in INSTANTS else row[c] for c in MARK_COLUMNS}


def instant(value: Any) -> Any:
    """An instant as read back (SQLite keeps text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value
