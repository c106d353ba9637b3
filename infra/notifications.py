"""PostgreSQL tells listeners what happened elsewhere: the event store NOTIFYs on every insert
(a projector in another process wakes at once instead of waiting for its next poll), and
projectors announce how far each read model has got (requests waiting to read their writes)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql

log = logging.getLogger("stepwise.notifications")
RETRY_WAIT = 0.5  # seconds between attempts to listen again: short, to resume soon after an outage


class PostgresNotifications:
    def __init__(self, conninfo: str, channel: str) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_notify: Callable[[str], None]) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._listen, args=(on_notify,), name="stepwise-listen", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _listen(self, on_notify: Callable[[str], None]) -> None:
        """Listens until stopped; reconnects after a lost connection (polling covers the gap)."""
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    on_notify("")  # anything that happened while not listening
                    while not self._stop.is_set():
                        for notify in connection.notifies(timeout=0.1, stop_after=1):
                            on_notify(notify.payload)
            except psycopg.Error:
                log.warning("lost the notification connection; retrying", exc_info=True)
                self._stop.wait(RETRY_WAIT)
