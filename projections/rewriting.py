"""What a batch adds to a record's account over time, written at its end, and how the account is
ended from a moment on (projections.folding): when a late entry or a correction rewrites what
the record says from then, every state (or set of parts) from then is closed as of its
recording, stored or not yet written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from projections.base import Row, Tables, Transaction
from projections.states import close_states


@dataclass
class Pending:
    """Rows a batch adds, written at its end: states, sets of parts, marks, timeline moments."""

    states: list[Row] = field(default_factory=list)
    parts: list[Row] = field(default_factory=list)
    marks: list[Row] = field(default_factory=list)
    mark_changes: list[Any] = field(default_factory=list)  # projections.marks.Change
    moments: list[list[Any]] = field(default_factory=list)

    def void(self, record_id: str, version: int, recorded: datetime) -> bool:
        for moment in self.moments:
            if moment[0] == record_id and moment[1] == version:
                moment.append(recorded)
                return True
        return False


@dataclass
class Closing:
    """Ends the account of a record's rows (states, or sets of parts) from a moment on, as of
    the recording of the event being folded: those stored, and those the batch adds."""

    tx: Transaction
    tables: Tables
    pending: Pending
    key: str
    record_id: str
    at: datetime  # when the event being folded was recorded
    stored_latest: datetime | None  # the record's latest effective time as stored

    def close(self, table: str, rows: list[Row], since: datetime) -> None:
        """`rows`: the batch's own rows of that table."""
        if self.stored_latest is not None and since <= self.stored_latest:
            close_states(self.tx, self.tables[table], self.key, self.record_id, since, self.at)
        for row in [r for r in rows if r[self.key] == self.record_id
                    and r["recorded_to"] is None and r["effective_from"] >= since]:  # fmt: skip
            if row["recorded_from"] >= self.at:
                rows.remove(row)  # never the account of anything: replaced at once
            else:
                row["recorded_to"] = self.at
