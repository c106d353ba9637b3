"""Writers of one SQLite file in one process take turns before SQLite sees them."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from infra.sqlite_writes import writing


def test_a_second_writer_of_the_same_file_waits_for_the_first(tmp_path: Path) -> None:
    order: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with writing(tmp_path / "a.db", timeout=5):
            first_in.set()
            time.sleep(0.2)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait()
    with writing(tmp_path / "." / "a.db", timeout=5):  # the same file, however named
        order.append("second in")
    thread.join()

    assert order == ["first done", "second in"]


def test_writers_of_different_files_do_not_wait_for_each_other(tmp_path: Path) -> None:
    with writing(tmp_path / "a.db", timeout=5), writing(tmp_path / "b.db", timeout=0.01):
        pass


def test_a_writer_that_waits_too_long_is_told_the_database_is_locked(tmp_path: Path) -> None:
    held = writing(tmp_path / "a.db", timeout=5)
    waiting = writing(tmp_path / "a.db", timeout=0.05)
    with held, pytest.raises(sqlite3.OperationalError, match="database is locked"), waiting:
        pass
