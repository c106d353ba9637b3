"""With STEPWISE_CIPHER_KEY every stored event and snapshot is ciphertext: nothing a person said
can be read from the database without the key, while commands, read models and the audit chain
work as before."""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from pydantic import SecretStr

from infra.audit import verify
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.support.scenarios import agreed_plan, change_hours

NAME = "Philippa Quarmby"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"cipher_key": SecretStr(AESCipher.create_key(32))})


def stored_bytes(runtime: Runtime) -> bytes:
    last = runtime.records.last_position()
    return b"".join(stored.state for stored in runtime.records.read_stored(1, last))


def test_stored_events_are_ciphertext_and_everything_reads_them(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records, name=NAME)
    for week in range(60):  # past the first snapshot of the plan
        written = change_hours(runtime.records, plan.person_id, 10 + week % 2, f"Week {week}")
    runtime.projector.catch_up()
    snapshots = runtime.records.snapshots
    assert snapshots is not None
    (snapshot,) = snapshots.recorder.select_events(UUID(written.record_id), desc=True, limit=1)

    assert NAME.encode() not in stored_bytes(runtime)
    assert b"Week 1" not in stored_bytes(runtime)
    assert not snapshot.state.startswith(b"{")  # not JSON: ciphertext
    with runtime.store.transaction() as tx:
        person = tx.fetchone("SELECT name FROM people WHERE person_id = %(p)s",
                             {"p": plan.person_id})  # fmt: skip
        plan_row = tx.fetchone("SELECT version FROM current_plans WHERE person_id = %(p)s",
                               {"p": plan.person_id})  # fmt: skip
    assert person == {"name": NAME}
    assert plan_row is not None and plan_row["version"] == plan.plan_version + 60
    assert verify(runtime.records, runtime.store, None).intact
    assert all(status.state == "live" for status in runtime.projector.statuses().values())


def test_without_the_key_the_same_history_is_stored_readable(settings: Settings) -> None:
    runtime = build(settings.model_copy(update={"cipher_key": None}))
    try:
        agreed_plan(runtime.records, name=NAME)
        assert NAME.encode() in stored_bytes(runtime)
    finally:
        runtime.close()
