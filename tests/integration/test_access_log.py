"""The access log keeps every entry, in order, written in batches; the database itself refuses
to change or remove one; and when it cannot be written, reads are refused rather than lost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from domain.envelope import Actor, Role
from infra.access_log import BATCH, DENIED, READ, AccessEntry, AccessLog, AccessLogFull
from infra.bootstrap import Runtime
from tests.support.scenarios import TENANT, register

READER = Actor("u-ann", "Ann Lee", Role.SUPPORT_WORKER)


def entry(number: int, outcome: str = READ) -> AccessEntry:
    return AccessEntry(tenant_id="provider-a", field="person", actor=READER, outcome=outcome,
                       read_at=datetime.now(UTC), person_id=f"p-{number}")  # fmt: skip


def stored(runtime: Runtime) -> list[str]:
    with runtime.store.transaction() as tx:
        rows = tx.fetchall("SELECT person_id FROM access_log ORDER BY entry_id")
    return [row["person_id"] for row in rows]


def test_entries_are_written_in_order_a_batch_per_transaction(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = 0
    opened = runtime.store.transaction

    @contextmanager
    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        nonlocal transactions
        transactions += 1
        with opened(*args, **kwargs) as tx:
            yield tx

    monkeypatch.setattr(runtime.store, "transaction", counted)
    for number in range(BATCH * 2 + 500):
        runtime.access_log.record(entry(number))
    runtime.access_log.flush()

    assert transactions == 3
    assert stored(runtime) == [f"p-{number}" for number in range(BATCH * 2 + 500)]


@pytest.mark.parametrize("change", ["UPDATE access_log SET actor_name = 'Someone else'",
                                    "DELETE FROM access_log"])  # fmt: skip
def test_the_database_refuses_to_change_or_remove_an_entry(runtime: Runtime, change: str) -> None:
    runtime.access_log.record(entry(1), entry(2, DENIED))
    runtime.access_log.flush()

    with pytest.raises(Exception, match="append-only"), runtime.store.transaction() as tx:
        tx.execute(change)

    assert stored(runtime) == ["p-1", "p-2"]


def test_entries_kept_from_the_database_by_an_outage_stay_queued_in_order(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AccessLog(runtime.store)
    log.record(entry(1), entry(2))
    outage = psycopg.OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(log, "_write", lambda batch: (_ for _ in ()).throw(outage))
    with pytest.raises(psycopg.OperationalError):
        log.flush()
    monkeypatch.undo()
    log.record(entry(3))
    log.flush()

    assert stored(runtime) == ["p-1", "p-2", "p-3"]


def test_an_entry_the_database_can_never_store_is_set_aside_and_the_rest_written(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AccessLog(runtime.store)
    write = log._write

    def refusing_the_second(batch: list[AccessEntry]) -> None:
        if any(e.person_id == "p-2" for e in batch):
            raise ValueError("cannot store this entry")
        write(batch)

    monkeypatch.setattr(log, "_write", refusing_the_second)
    log.record(entry(1), entry(2), entry(3))
    log.flush()

    assert stored(runtime) == ["p-1", "p-3"]
    assert log.waiting == 0


def test_a_full_queue_refuses_new_entries_whole(runtime: Runtime) -> None:
    log = AccessLog(runtime.store, capacity=3)
    log.record(entry(1), entry(2))

    with pytest.raises(AccessLogFull, match="retry shortly"):
        log.record(entry(3), entry(4))
    assert log.waiting == 2


def test_a_refused_read_is_filed_under_the_person_s_provider_before_people_are_projected(
    runtime: Runtime,
) -> None:
    person_id = register(runtime.records).record_id  # no read model has followed the log yet
    attempt = replace(entry(0), tenant_id="provider-b", person_id=person_id, outcome=DENIED,
                      owner_unknown=True)  # fmt: skip

    runtime.access_log.record(attempt)
    runtime.access_log.flush()

    with runtime.store.transaction() as tx:
        row = tx.fetchone("SELECT tenant_id FROM access_log WHERE person_id = %(p)s",
                          {"p": person_id})  # fmt: skip
    assert row is not None and row["tenant_id"] == TENANT
