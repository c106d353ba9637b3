"""Where each read model has read up to, and whether it is running or parked, written in the
same transaction as its rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from projections.base import Row, Transaction

LIVE = "live"
PARKED = "parked"

TABLE = "projection_tracking"
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    projection TEXT PRIMARY KEY,
    position BIGINT NOT NULL
)
"""
# Added to a table created before read models could be parked or versioned; version 0 then
# marks every stored read model as built by older code, to be rebuilt before use.
COLUMNS = {
    "state": f"TEXT NOT NULL DEFAULT '{LIVE}'",
    "version": "INTEGER NOT NULL DEFAULT 0",
    "error": "TEXT",
    "error_position": "BIGINT",
    "error_event": "TEXT",
    "changed_at": "TEXT",
}


@dataclass(frozen=True)
class Status:
    name: str
    position: int
    state: str
    version: int
    error: str | None = None
    error_position: int | None = None
    error_event: str | None = None
    changed_at: str | None = None

    @property
    def parked(self) -> bool:
        return self.state == PARKED

    @classmethod
    def from_row(cls, row: Row) -> Status:
        return cls(
            name=row["projection"],
            position=int(row["position"]),
            state=row["state"],
            version=int(row["version"]),
            error=row["error"],
            error_position=row["error_position"],
            error_event=row["error_event"],
            changed_at=row["changed_at"],
        )


def create_table(tx: Transaction) -> None:
    tx.execute(DDL)
    existing = _columns(tx)
    for column, definition in COLUMNS.items():
        if column not in existing:
            tx.execute(f"ALTER TABLE {TABLE} ADD COLUMN {column} {definition}")


def _columns(tx: Transaction) -> set[str]:
    if tx.dialect == "sqlite":
        return {row["name"] for row in tx.fetchall(f"PRAGMA table_info({TABLE})")}
    rows = tx.fetchall(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %(table)s AND table_schema = current_schema()",
        {"table": TABLE},
    )
    return {row["column_name"] for row in rows}


def register(tx: Transaction, name: str, version: int) -> None:
    tx.execute(
        f"INSERT INTO {TABLE} (projection, position, state, version, changed_at) "
        "VALUES (%(name)s, 0, %(live)s, %(version)s, %(now)s) "
        "ON CONFLICT (projection) DO NOTHING",
        {"name": name, "live": LIVE, "version": version, "now": _now()},
    )


def reset(tx: Transaction, name: str, version: int) -> None:
    delete(tx, name)
    register(tx, name, version)


def delete(tx: Transaction, name: str) -> None:
    tx.execute(f"DELETE FROM {TABLE} WHERE projection = %(name)s", {"name": name})


def lock(tx: Transaction, name: str) -> Status:
    """The read model's status, locked until the transaction ends so no other runner can
    apply the same events concurrently (SQLite's write transaction locks the whole file)."""
    row = tx.fetchone(
        f"SELECT * FROM {TABLE} WHERE projection = %(name)s"
        + (" FOR UPDATE" if tx.dialect == "postgres" else ""),
        {"name": name},
    )
    if row is None:
        raise LookupError(f"no read model named {name!r} is tracked")
    return Status.from_row(row)


def lock_free(tx: Transaction, names: Sequence[str]) -> dict[str, Status]:
    """The statuses of those of these read models no other runner holds, locked until the
    transaction ends. On PostgreSQL a row another transaction holds is skipped rather than
    waited for, and rows are locked in name order, so two runners locking several at once never
    wait on each other in a circle."""
    names_in, params = _named(names)
    sql = f"SELECT * FROM {TABLE} WHERE projection IN ({names_in})"
    if tx.dialect == "postgres":
        sql += " ORDER BY projection FOR UPDATE SKIP LOCKED"
    rows = tx.fetchall(sql, params)
    return {row["projection"]: Status.from_row(row) for row in rows}


def position(tx: Transaction, name: str) -> int:
    """The log position the read model has applied (0 if it is not tracked yet)."""
    row = tx.fetchone(f"SELECT position FROM {TABLE} WHERE projection = %(name)s", {"name": name})
    return int(row["position"]) if row else 0


def advance(tx: Transaction, name: str, position: int) -> None:
    tx.execute(
        f"UPDATE {TABLE} SET position = %(position)s WHERE projection = %(name)s",
        {"name": name, "position": position},
    )


def advance_all(tx: Transaction, names: Sequence[str], position: int) -> None:
    names_in, params = _named(names)
    tx.execute(f"UPDATE {TABLE} SET position = %(position)s WHERE projection IN ({names_in})",
               {**params, "position": position})  # fmt: skip


def _named(names: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Placeholders for a list of names, and their parameters (SQLite has no arrays)."""
    params = {f"name{i}": name for i, name in enumerate(names)}
    return ", ".join(f"%({key})s" for key in params), params


def park(tx: Transaction, name: str, *, before: int, event: str, error: str) -> None:
    """Stops the read model just before the event it cannot apply, saying why."""
    tx.execute(
        f"UPDATE {TABLE} SET state = %(parked)s, position = %(position)s, "
        "error = %(error)s, error_position = %(at)s, error_event = %(event)s, "
        "changed_at = %(now)s WHERE projection = %(name)s",
        {
            "name": name,
            "parked": PARKED,
            "position": before - 1,
            "at": before,
            "event": event,
            "error": error,
            "now": _now(),
        },
    )


def release(tx: Transaction, name: str) -> None:
    """Lets a parked read model try again from where it stopped."""
    tx.execute(
        f"UPDATE {TABLE} SET state = %(live)s, error = NULL, error_position = NULL, "
        "error_event = NULL, changed_at = %(now)s WHERE projection = %(name)s",
        {"name": name, "live": LIVE, "now": _now()},
    )


def replace_with(tx: Transaction, name: str, *, position: int, version: int) -> None:
    """After a rebuild's swap: the live read model is the rebuilt one, running."""
    tx.execute(
        f"UPDATE {TABLE} SET position = %(position)s, version = %(version)s, "
        "state = %(live)s, error = NULL, error_position = NULL, error_event = NULL, "
        "changed_at = %(now)s WHERE projection = %(name)s",
        {"name": name, "position": position, "version": version, "live": LIVE, "now": _now()},
    )


def statuses(tx: Transaction) -> dict[str, Status]:
    return {
        row["projection"]: Status.from_row(row) for row in tx.fetchall(f"SELECT * FROM {TABLE}")
    }


def _now() -> str:
    return datetime.now(UTC).isoformat()
