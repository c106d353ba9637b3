"""A connection lost while a write is committed: the client is told the truth, or told that
nobody knows it yet, and a retry with the same idempotency key then tells it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from infra.bootstrap import Runtime
from tests.e2e.helpers import WORKER, Api, mutation_document

PERSON = {"name": "Ruth Evans", "serviceId": "svc-1"}
REGISTER = mutation_document("registerPerson")
LOST = "server closed the connection unexpectedly"


def losing_the_answer(insert: Callable[..., Any]) -> Callable[..., Any]:
    """Commits, then loses the connection before the store answers."""

    def commit_then_lose(*args: Any, **kwargs: Any) -> Any:
        insert(*args, **kwargs)
        raise OperationalError(LOST)

    return commit_then_lose


def losing_the_write(*_: Any, **__: Any) -> Any:
    """Loses the connection before the commit."""
    raise OperationalError(LOST)


def unreachable(*_: Any, **__: Any) -> Any:
    raise OperationalError("connection refused")


def test_a_write_committed_before_the_connection_was_lost_is_answered_as_written(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = runtime.records.recorder
    monkeypatch.setattr(recorder, "insert_events", losing_the_answer(recorder.insert_events))
    before = runtime.records.last_position()

    written = api.mutate("registerPerson", PERSON)

    assert written["position"] == before + 1 == runtime.records.last_position()
    assert api.query("query($id: ID!) { person(id: $id) { name } }", {"id": written["recordId"]})


def test_a_write_lost_before_its_commit_is_unavailable_with_nothing_written(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.records.recorder, "insert_events", losing_the_write)

    before = runtime.records.last_position()

    error = api.failure(REGISTER, {"input": PERSON}, WORKER.headers())

    assert runtime.records.last_position() == before
    assert error["extensions"] == {
        "code": "UNAVAILABLE", "retryable": True, "outcome": "not_written",
    }  # fmt: skip


def database_gone_after_commit(recorder: Any, outage: pytest.MonkeyPatch) -> None:
    """The next insert commits, then the database goes away before anyone can ask."""
    insert = recorder.insert_events

    def commit_then_go(*args: Any, **kwargs: Any) -> Any:
        insert(*args, **kwargs)
        outage.setattr(recorder, "select_events", unreachable)
        outage.setattr(recorder, "find_receipt", unreachable)
        raise OperationalError(LOST)

    outage.setattr(recorder, "insert_events", commit_then_go)


def test_when_nobody_can_say_whether_a_write_was_committed_a_retry_with_its_key_tells(
    api: Api, runtime: Runtime
) -> None:
    keyed = PERSON | {"idempotencyKey": "visit-7"}
    with pytest.MonkeyPatch.context() as outage:
        database_gone_after_commit(runtime.records.recorder, outage)
        error = api.failure(REGISTER, {"input": keyed}, WORKER.headers())
    position = runtime.records.last_position()

    retried = api.mutate("registerPerson", keyed)

    assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True, "outcome": "unknown"}
    assert error["message"].startswith("outcome unknown: retry with the same idempotency key")
    assert retried["position"] == position  # the first attempt's write, which was committed
    assert runtime.records.last_position() == position  # ... and the retry wrote nothing


def test_without_a_key_an_unknown_outcome_says_to_check_the_record_first(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_gone_after_commit(runtime.records.recorder, monkeypatch)

    error = api.failure(REGISTER, {"input": PERSON}, WORKER.headers())

    assert error["extensions"]["outcome"] == "unknown"
    assert "read the record to see whether it changed" in error["message"]


def test_reads_while_the_database_is_unreachable_are_unavailable_and_retryable(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_: Any, **__: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(runtime.store, "transaction", refused)

    error = api.failure("{ people(first: 1) { edges { node { id } } } }")

    assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True}


NOT_WRITTEN = {"code": "UNAVAILABLE", "retryable": True, "outcome": "not_written"}


def test_a_retry_whose_receipt_cannot_be_looked_up_is_unavailable_with_nothing_written(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.records.recorder, "find_receipt", unreachable)
    before = runtime.records.last_position()

    error = api.failure(REGISTER, {"input": PERSON | {"idempotencyKey": "visit-8"}},
                        WORKER.headers())  # fmt: skip

    assert error["extensions"] == NOT_WRITTEN
    assert runtime.records.last_position() == before


def test_a_write_whose_record_cannot_be_read_is_unavailable_with_nothing_written(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.records.recorder, "select_events", unreachable)
    before = runtime.records.last_position()

    error = api.failure(REGISTER, {"input": PERSON}, WORKER.headers())

    assert error["extensions"] == NOT_WRITTEN
    assert runtime.records.last_position() == before
