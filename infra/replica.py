"""Reads answered by a streaming replica of the database.

The replica holds the read models as the primary held them a moment ago. A read that must show
a log position waits until the primary's read models have reached it (api.waiting), then until
the replica has replayed the primary's write-ahead log as far as it stood at that moment: from
then on the replica shows at least what the primary showed, read models that were passed
without a write of their own included.
"""

from __future__ import annotations

from infra.read_store import PostgresReadStore, ReadStore
from infra.settings import Settings

# Write-ahead log locations as byte offsets, so they compare as numbers. On the primary, where
# the log has been inserted to (at or past every commit anyone has seen); on a standby, where it
# has been replayed to (NULL on a primary: a URL naming the primary itself is never behind).
WRITTEN = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS location"
REPLAYED = (
    "SELECT (COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn()) - '0/0'::pg_lsn)"
    "::bigint AS location"
)


class Replica:
    def __init__(self, settings: Settings, primary: ReadStore) -> None:
        assert settings.read_replica is not None
        self.store = PostgresReadStore(settings, settings.read_replica.conninfo())
        self._primary = primary

    def written(self) -> int:
        """How far the primary's write-ahead log reaches now."""
        return _location(self._primary, WRITTEN)

    def replayed(self) -> int:
        """How far the replica has replayed it."""
        return _location(self.store, REPLAYED)

    def close(self) -> None:
        self.store.close()


def _location(store: ReadStore, query: str) -> int:
    with store.transaction() as tx:
        row = tx.fetchone(query)
    assert row is not None
    return int(row["location"])
