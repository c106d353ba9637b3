"""One queue for every writer of a SQLite file in this process.

SQLite lets one transaction write at a time. Writers left to meet in SQLite's busy handler
sleep in growing steps (up to 100 ms) between tries, so four concurrent writers, with the
read models' own commits between them, went slower than one. Queued here first, the event
store's writers and the read models' are served in turn; SQLite's own wait still covers
other processes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def writing(path: str | Path, timeout: float) -> Iterator[None]:
    """Held while writing to the file; waits at most `timeout` seconds for its turn, then
    raises the error SQLite itself would (the database is locked: retry)."""
    with _locks_guard:
        lock = _locks.setdefault(Path(path).resolve(), threading.Lock())
    if not lock.acquire(timeout=timeout):
        raise sqlite3.OperationalError("database is locked")
    try:
        yield
    finally:
        lock.release()
