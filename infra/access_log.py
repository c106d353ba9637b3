"""Who read whose record: an append-only log of every read of a person's record, and of every
read that was refused.

Requests only add entries to an in-memory queue; a background thread writes them in batches,
one transaction per batch, so reading a record never waits on the log. If the queue cannot be
written and fills up, reads are refused (retryably) rather than served unrecorded. Rows are
never changed or removed: triggers refuse UPDATE and DELETE on both databases.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from domain.envelope import Actor
from infra.outages import is_transient
from infra.read_store import ReadStore
from projections.base import Row, Transaction

log = logging.getLogger("stepwise.access_log")

CAPACITY = 50_000  # entries waiting to be written before reads are refused
BATCH = 1_000  # entries per transaction
INTERVAL = 0.25  # seconds between writes while entries trickle in
RETRY_AFTER = 1.0  # seconds after a failed write

READ, DENIED = "read", "denied"
MAX_TEXT = 500  # characters kept of any text a client sent (ids, purpose, correlation id)

_COLUMNS = ("tenant_id", "person_id", "record_id", "field", "actor_id", "actor_name",
            "actor_role", "outcome", "detail", "purpose", "correlation_id", "read_at")  # fmt: skip
_CREATE = {
    "postgres": "entry_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    "sqlite": "entry_id INTEGER PRIMARY KEY AUTOINCREMENT",
}
_APPEND_ONLY = {
    "postgres": [
        """CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$""",
        """CREATE OR REPLACE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE
        ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_append_only()""",
        """CREATE OR REPLACE TRIGGER access_log_no_truncate BEFORE TRUNCATE
        ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()""",
    ],
    "sqlite": [
        f"""CREATE TRIGGER IF NOT EXISTS access_log_no_{change} BEFORE {change.upper()}
        ON access_log BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"""
        for change in ("update", "delete")
    ],
}


class AccessLogFull(Exception):
    """Entries cannot be written as fast as reads are made (or the database is away)."""


@dataclass(frozen=True)
class AccessEntry:
    """One read of a person's record (or of one of their records), or one refused."""

    tenant_id: str  # the provider whose record it is (the caller's, if no record was named)
    field: str  # the GraphQL root field
    actor: Actor
    outcome: str  # READ or DENIED
    read_at: datetime
    person_id: str | None = None
    record_id: str | None = None
    detail: str | None = None  # why a read was refused
    purpose: str | None = None  # as the client stated it
    correlation_id: str | None = None
    owner_unknown: bool = False  # tenant_id is the caller's until the person is looked up

    def cleaned(self) -> AccessEntry:
        """Text as both databases can store it: no control characters, bounded in length.
        (A list read logs hundreds of entries at once, so clean text is left as it is.)"""
        changes: dict[str, Any] = {
            name: _printable(value)[:MAX_TEXT]
            for name in _TEXT_FIELDS
            if isinstance(value := getattr(self, name), str)
            and (len(value) > MAX_TEXT or not value.isprintable())
        }
        return replace(self, **changes) if changes else self

    def about(self, person_id: str | None, record_id: str | None) -> AccessEntry:
        """The same read, of another record (a list logs one entry per record)."""
        return AccessEntry(self.tenant_id, self.field, self.actor, self.outcome, self.read_at,
                           person_id, record_id, self.detail, self.purpose, self.correlation_id,
                           self.owner_unknown).cleaned()  # fmt: skip

    def row(self) -> Row:
        return {
            "tenant_id": self.tenant_id, "person_id": self.person_id,
            "record_id": self.record_id, "field": self.field, "actor_id": self.actor.id,
            "actor_name": self.actor.name, "actor_role": self.actor.role.value,
            "outcome": self.outcome, "detail": self.detail, "purpose": self.purpose,
            "correlation_id": self.correlation_id, "read_at": self.read_at,
        }  # fmt: skip


_TEXT_FIELDS = tuple(f.name for f in fields(AccessEntry) if f.type in ("str", "str | None"))


class AccessLog:
    def __init__(
        self,
        store: ReadStore,
        capacity: int = CAPACITY,
        owner_of: Callable[[str], str | None] = lambda person_id: None,
    ) -> None:
        # The provider of a person not projected yet, from the records themselves.
        self._owner_of = owner_of
        self._store = store
        self._capacity = capacity
        self._pending: deque[AccessEntry] = deque()
        self._queue_lock = threading.Lock()
        self._writer_lock = threading.Lock()  # one batch at a time, so entries keep their order
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def create_table(self) -> None:
        with self._store.transaction(write=True) as tx:
            tx.execute(
                f"""CREATE TABLE IF NOT EXISTS access_log ({_CREATE[tx.dialect]},
                tenant_id TEXT NOT NULL, person_id TEXT, record_id TEXT, field TEXT NOT NULL,
                actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, actor_role TEXT NOT NULL,
                outcome TEXT NOT NULL, detail TEXT, purpose TEXT, correlation_id TEXT,
                read_at {"TIMESTAMPTZ" if tx.dialect == "postgres" else "TEXT"} NOT NULL)"""
            )
            for columns in ("person_id", "record_id"):
                tx.execute(
                    f"CREATE INDEX IF NOT EXISTS access_log_by_{columns} "
                    f"ON access_log (tenant_id, {columns}, entry_id)"
                )
            for statement in _APPEND_ONLY[tx.dialect]:
                tx.execute(statement)

    def record(self, *entries: AccessEntry) -> None:
        """Queues entries for the writer; refuses them all if the queue is full."""
        with self._queue_lock:
            if len(self._pending) + len(entries) > self._capacity:
                raise AccessLogFull(
                    "reads are recorded in the access log, which cannot be written just now; "
                    "retry shortly"
                )
            self._pending.extend(entries)
            if len(self._pending) >= BATCH:
                self._wake.set()

    @property
    def waiting(self) -> int:
        return len(self._pending)

    def flush(self, wait: float = -1) -> bool:
        """Writes every entry queued so far; on failure they stay queued, and the error is
        raised. Gives up (False) if another writer holds the log for longer than `wait`
        seconds (-1: as long as it takes)."""
        if not self._writer_lock.acquire(timeout=wait):
            return False
        try:
            self._drain()
        finally:
            self._writer_lock.release()
        return True

    def _drain(self) -> None:
        while True:
            with self._queue_lock:
                batch = [self._pending.popleft() for _ in range(min(BATCH, len(self._pending)))]
            if not batch:
                return
            try:
                self._write(batch)
            except BaseException as error:
                if isinstance(error, Exception) and not is_transient(error):
                    self._write_one_by_one(batch)
                    continue
                with self._queue_lock:
                    self._pending.extendleft(reversed(batch))
                raise

    def _write(self, batch: list[AccessEntry]) -> None:
        # COPY, not INSERT: a page of people logs a row per person, and row by row the writer
        # fell behind a dashboard read at 16 connections until reads were refused.
        with self._store.transaction(write=True) as tx:
            rows = [entry.row() for entry in _owned(tx, batch, self._owner_of)]
            tx.copy("access_log", _COLUMNS, [[row[column] for column in _COLUMNS] for row in rows])

    def _write_one_by_one(self, batch: list[AccessEntry]) -> None:
        """After a batch the database refused for what it holds (not for an outage): every
        entry it can store is stored, and one it never could is reported, not retried forever."""
        for entry in batch:
            try:
                self._write([entry])
            except Exception:
                log.error("an access-log entry could not be stored: %r", entry, exc_info=True)

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stops the writer after writing what is queued."""
        if self._thread is not None:
            self._stopping.set()
            self._wake.set()
            self._thread.join()
            self._thread = None
        try:
            self.flush()
        except Exception:
            log.error("%d access-log entries could not be written", self.waiting, exc_info=True)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(INTERVAL)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                log.warning("the access log could not be written; retrying", exc_info=True)
                self._stopping.wait(RETRY_AFTER)


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def _owned(
    tx: Transaction, batch: list[AccessEntry], owner_of: Callable[[str], str | None]
) -> list[AccessEntry]:
    """Entries of reads refused before any record was looked at, filed under the provider of
    the person they named (when there is one), so its managers see who tried."""
    named = sorted({e.person_id for e in batch if e.owner_unknown and e.person_id})
    if not named:
        return batch
    names = {f"p{n}": person_id for n, person_id in enumerate(named)}
    listed = ", ".join(f"%({name})s" for name in names)
    rows = tx.fetchall(
        f"SELECT person_id, tenant_id FROM people WHERE person_id IN ({listed})", names
    )
    owners = {row["person_id"]: row["tenant_id"] for row in rows}
    for person_id in set(named) - set(owners):  # the people read model may not have them yet
        if (owner := owner_of(person_id)) is not None:
            owners[person_id] = owner
    return [
        replace(e, tenant_id=owners.get(e.person_id or "", e.tenant_id)) if e.owner_unknown else e
        for e in batch
    ]


def access_page(
    tx: Transaction,
    tenant_id: str,
    person_id: str,
    since: datetime,
    until: datetime,
    after: int,
    first: int,
) -> list[Row]:
    """Reads of a person's record and of every record about them (found through the person
    index), oldest first, one row more than asked."""
    return tx.fetchall(
        """SELECT * FROM access_log
        WHERE tenant_id = %(tenant)s AND entry_id > %(after)s
          AND read_at >= %(since)s AND read_at < %(until)s
          AND (person_id = %(person)s OR record_id = %(person)s
               OR record_id IN (SELECT record_id FROM record_owners
                                WHERE person_id = %(person)s))
        ORDER BY entry_id LIMIT %(limit)s""",
        {
            "tenant": tenant_id,
            "person": person_id,
            "since": since,
            "until": until,
            "after": after,
            "limit": first + 1,
        },
    )
