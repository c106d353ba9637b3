"""Tampering with the stored log by SQL, as someone with database access could, is pinpointed:
each changed, deleted or slipped-in event by its position, and a chain rewritten to match by the
checkpoints its rewriter could not sign."""

from __future__ import annotations

import base64
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr
from typer.testing import CliRunner

from infra.audit import Findings, verify
from infra.bootstrap import Runtime
from infra.cli.app import cli
from infra.settings import Settings
from projections.audit_chain import CHECKPOINT_EVERY, GENESIS, link, public_bytes, setting_text
from tests.support.scenarios import agreed_plan, change_hours, register
from tests.support.tampering import on_stored_events

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"audit_key": SecretStr(setting_text(KEY))})


def chained_history(runtime: Runtime) -> int:
    """Enough history for a few signed checkpoints, chained; returns the last position."""
    for number in range(3):
        plan = agreed_plan(runtime.records, name=f"Person {number}")
        for week in range(2 * CHECKPOINT_EVERY // 3):
            change_hours(runtime.records, plan.person_id, 10 + week % 2, reason=f"Week {week}")
    runtime.projector.catch_up()
    return runtime.records.last_position()


def alter(runtime: Runtime, position: int) -> None:
    """One more space in the stored JSON: the event still reads the same."""
    (stored,) = runtime.records.read_stored(position, position)
    update = "UPDATE {events} SET state = %s WHERE {position} = %s"
    on_stored_events(runtime, update, stored.state + b" ", position)


def check(runtime: Runtime, key: Ed25519PrivateKey | None = KEY) -> Findings:
    public = key.public_key() if key else None
    return verify(runtime.records, runtime.store, public)


def test_an_untouched_log_verifies_link_by_link_and_checkpoint_by_checkpoint(
    runtime: Runtime,
) -> None:
    last = chained_history(runtime)

    findings = check(runtime)

    assert findings.intact, findings
    assert findings.verified == last == findings.head
    with runtime.store.transaction() as tx:
        signed = tx.fetchall("SELECT position FROM audit_checkpoints WHERE signature IS NOT NULL")
    assert len(signed) == last // CHECKPOINT_EVERY >= 2


def test_each_event_whose_bytes_changed_is_named(runtime: Runtime) -> None:
    chained_history(runtime)

    for position in (7, 120):
        alter(runtime, position)

    findings = check(runtime)
    assert findings.changed == [7, 120]
    assert findings.deleted == findings.inserted == findings.checkpoints == []


def test_a_deleted_event_is_named(runtime: Runtime) -> None:
    chained_history(runtime)

    on_stored_events(runtime, "DELETE FROM {events} WHERE {position} = %s", 33)

    findings = check(runtime)
    assert findings.deleted == [33]
    assert findings.changed == findings.inserted == findings.checkpoints == []


def test_an_event_slipped_into_a_gap_after_the_chain_passed_it_is_named(
    runtime: Runtime,
) -> None:
    gap = register(runtime.records, "Ann").position
    register(runtime.records, "Bo")
    # A position the log skipped (as a rolled-back insert leaves on PostgreSQL).
    on_stored_events(runtime, "DELETE FROM {events} WHERE {position} = %s", gap)
    runtime.projector.catch_up()
    (template,) = runtime.records.read_stored(gap + 1, gap + 1)

    on_stored_events(
        runtime,
        "INSERT INTO {events} ({position}, originator_id, originator_version, topic, state) "
        "VALUES (%s, %s, 1, %s, %s)",
        gap, uuid4() if runtime.settings.is_postgres else uuid4().hex, template.topic,
        template.state,
    )  # fmt: skip

    findings = check(runtime)
    assert findings.inserted == [gap]
    assert findings.changed == findings.deleted == findings.checkpoints == []


def test_a_chain_rewritten_to_match_a_change_breaks_the_signed_checkpoints_after_it(
    runtime: Runtime,
) -> None:
    last = chained_history(runtime)
    changed = CHECKPOINT_EVERY + 5
    alter(runtime, changed)
    with runtime.store.transaction(write=True) as tx:  # ... and every link from there on
        start = tx.fetchone(
            "SELECT link FROM audit_chain WHERE position = %(p)s", {"p": changed - 1}
        )
        previous = bytes(start["link"]) if start else GENESIS
        for stored in runtime.records.read_stored(changed, last):
            previous = link(previous, stored)
            tx.execute("UPDATE audit_chain SET link = %(l)s WHERE position = %(p)s",
                       {"l": previous, "p": stored.id})  # fmt: skip

    findings = check(runtime)

    assert findings.changed == findings.deleted == findings.inserted == []
    broken = [int(problem.split(":")[0]) for problem in findings.checkpoints]
    assert broken == list(range(2 * CHECKPOINT_EVERY, last + 1, CHECKPOINT_EVERY))


def test_checkpoints_signed_with_another_key_do_not_verify(runtime: Runtime) -> None:
    chained_history(runtime)

    findings = check(runtime, Ed25519PrivateKey.generate())

    assert findings.checkpoints and all("signature" in p for p in findings.checkpoints)


def test_the_verify_command_names_each_position_and_fails(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    chained_history(runtime)
    on_stored_events(runtime, "DELETE FROM {events} WHERE {position} = %s", 40)
    settings = runtime.settings
    monkeypatch.setenv("STEPWISE_DATABASE_URL", settings.database_url)
    if settings.database_schema:
        monkeypatch.setenv("STEPWISE_DATABASE_SCHEMA", settings.database_schema)
    monkeypatch.setenv("STEPWISE_AUDIT_KEY", setting_text(KEY))

    result = CliRunner().invoke(cli, ["audit", "verify"])

    assert result.exit_code == 1, result.output
    assert "deleted: the event at position 40 is gone" in result.output


def test_links_removed_from_the_chain_and_checkpoints_removed_are_named(runtime: Runtime) -> None:
    chained_history(runtime)
    with runtime.store.transaction(write=True) as tx:
        tx.execute("DELETE FROM audit_chain WHERE position BETWEEN 30 AND 32")
        tx.execute("DELETE FROM audit_checkpoints WHERE position = %(p)s", {"p": CHECKPOINT_EVERY})

    findings = check(runtime)

    assert findings.cut == [33]
    assert findings.inserted == [30, 31, 32]  # their events are no longer chained
    assert findings.checkpoints == [f"{CHECKPOINT_EVERY}: its checkpoint is missing"]


def test_the_verify_command_checks_signatures_with_a_published_public_key_alone(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    chained_history(runtime)
    settings = runtime.settings
    monkeypatch.setenv("STEPWISE_DATABASE_URL", settings.database_url)
    if settings.database_schema:
        monkeypatch.setenv("STEPWISE_DATABASE_SCHEMA", settings.database_schema)
    other = base64.b64encode(public_bytes(Ed25519PrivateKey.generate())).decode()
    published = base64.b64encode(public_bytes(KEY)).decode()

    intact = CliRunner().invoke(cli, ["audit", "verify", "--public-key", published])
    forged = CliRunner().invoke(cli, ["audit", "verify", "--public-key", other])

    assert intact.exit_code == 0, intact.output
    assert "Intact" in intact.output and "signatures were not checked" not in intact.output
    assert forged.exit_code == 1 and "signature does not match" in forged.output
