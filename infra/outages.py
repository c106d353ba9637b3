"""Database outages, bounded and told apart from faults.

Every wait on PostgreSQL is bounded by the settings: connecting (and waiting for a pooled
connection), and each statement a request runs. A pool that lost its server tries again at
once when next asked, rather than after a backoff that grows through a long outage, so work
resumes as soon as the server is back.
"""

from __future__ import annotations

import math
import sqlite3
import time
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from eventsourcing import persistence
from psycopg_pool import ConnectionPool, PoolTimeout

# Keys of the event store's environment (see infra.event_store.StepwisePostgresFactory).
CONNECT_TIMEOUT = "STEPWISE_CONNECT_TIMEOUT"
STATEMENT_TIMEOUT = "STEPWISE_STATEMENT_TIMEOUT"

# A pool stops retrying a lost connection in the background after this long; the next
# request that needs one starts a fresh attempt straight away.
RECONNECT_GIVE_UP_SECONDS = 1.0
RECHECK_AFTER_IDLE_SECONDS = 1.0


def connection_options(connect_timeout: float, statement_timeout: float | None) -> dict[str, Any]:
    """libpq options for every connection: connect_timeout counts whole seconds, two at least."""
    options: dict[str, Any] = {
        "connect_timeout": max(2, math.ceil(connect_timeout)),
        # A server that vanished without closing the connection (a network partition) is
        # noticed within seconds, not the operating system's quarter of an hour.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 15_000,
    }
    if statement_timeout:
        options["options"] = f"-c statement_timeout={math.ceil(statement_timeout * 1000)}"
    return options


def bound_pool(pool: ConnectionPool[Any], connect_timeout: float, statement_timeout: float) -> None:
    """Bounds the waits of a pool built elsewhere (the event store's), before it opens."""
    pool.timeout = connect_timeout
    pool.reconnect_timeout = RECONNECT_GIVE_UP_SECONDS
    given = pool.kwargs if isinstance(pool.kwargs, dict) else {}
    pool.kwargs = {**given, **connection_options(connect_timeout, statement_timeout)}
    # The pool was built elsewhere, without a check: psycopg_pool keeps it here.
    pool._check = IdleCheck()


class IdleCheck:
    """A pool's check: a connection handed out within the last second is handed out as it is;
    one idle for longer is asked first, so that one the server dropped meanwhile (a restart)
    is replaced before a request uses it. Asking every time added a round trip to every
    request. (A connection that breaks while busy fails its request as retryable, and the pool
    discards it.)"""

    def __init__(self) -> None:
        self._handed_out_at: WeakKeyDictionary[psycopg.Connection[Any], float] = WeakKeyDictionary()

    def __call__(self, connection: psycopg.Connection[Any]) -> None:
        now = time.monotonic()
        last = self._handed_out_at.get(connection)
        self._handed_out_at[connection] = now
        if last is None or now - last > RECHECK_AFTER_IDLE_SECONDS:
            ConnectionPool.check_connection(connection)


def is_transient(error: BaseException) -> bool:
    """An outage (connection lost or refused, a timeout, database locked or busy, pool
    exhausted), not a fault of the request, the event or the read model: worth retrying."""
    if isinstance(error, sqlite3.OperationalError):
        return any(word in str(error) for word in ("locked", "busy"))
    transient = (
        psycopg.OperationalError,
        psycopg.InterfaceError,
        PoolTimeout,
        persistence.OperationalError,
        persistence.InterfaceError,
    )
    return isinstance(error, transient)
