"""Where each projection has read up to, written in the same transaction as its rows."""

from __future__ import annotations

from projections.base import Transaction

DDL = """
CREATE TABLE IF NOT EXISTS projection_tracking (
    projection TEXT PRIMARY KEY,
    position BIGINT NOT NULL
)
"""


def create_table(tx: Transaction) -> None:
    tx.execute(DDL)


def lock_position(tx: Transaction, projection: str) -> int:
    """The projection's position, locked until the transaction ends so no other runner
    can apply the same events concurrently (SQLite's write transaction locks the file)."""
    tx.execute(
        "INSERT INTO projection_tracking (projection, position) VALUES (%(name)s, 0) "
        "ON CONFLICT (projection) DO NOTHING",
        {"name": projection},
    )
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    row = tx.fetchone(
        f"SELECT position FROM projection_tracking WHERE projection = %(name)s{lock}",
        {"name": projection},
    )
    return int(row["position"]) if row else 0


def set_position(tx: Transaction, projection: str, position: int) -> None:
    tx.execute(
        "UPDATE projection_tracking SET position = %(position)s WHERE projection = %(name)s",
        {"name": projection, "position": position},
    )


def positions(tx: Transaction) -> dict[str, int]:
    rows = tx.fetchall("SELECT projection, position FROM projection_tracking")
    return {row["projection"]: int(row["position"]) for row in rows}
