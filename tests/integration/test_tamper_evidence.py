"""The README's tamper table, row by row: each change someone with database access could make,
and what `audit verify` says of it with the chain alone, with the public key, with the event MAC
key, and with a checkpoint an inspector kept. A row that cannot be detected in a mode is asserted
as undetected there, so the table cannot claim more than the code does."""

from __future__ import annotations

import base64
import os
import time
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr
from typer.testing import CliRunner

from infra.audit import Findings, Kept, verify
from infra.bootstrap import Runtime, build
from infra.cli.app import cli
from infra.event_mac import MARK, mac_key
from infra.settings import Settings
from projections.audit_chain import (
    CHECKPOINT_EVERY,
    chain_head,
    latest_checkpoint,
    link,
    setting_text,
)
from tests.support.scenarios import agreed_plan, change_hours
from tests.support.tampering import (
    alter,
    append_copy,
    cut_after,
    on_stored_events,
    rechain_from,
    swap,
)

AUDIT_KEY = Ed25519PrivateKey.generate()
MAC_SETTING = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "audit_key": SecretStr(setting_text(AUDIT_KEY)),
            "event_mac_key": SecretStr(MAC_SETTING),
        }
    )


def history(runtime: Runtime) -> int:
    """Two people's plans, their hours changed week by week: a few signed checkpoints."""
    for number in range(2):
        plan = agreed_plan(runtime.records, name=f"Person {number}")
        for week in range(CHECKPOINT_EVERY):
            change_hours(runtime.records, plan.person_id, 10 + week % 2, reason=f"Week {week}")
    runtime.projector.catch_up()
    return runtime.records.last_position()


def kept_head(runtime: Runtime) -> Kept:
    """The chain's head, as an inspector would keep it outside the database."""
    with runtime.store.transaction() as tx:
        head = chain_head(tx)
    assert head is not None
    return Kept(int(head["position"]), bytes(head["link"]))


def chain_only(runtime: Runtime) -> Findings:
    return verify(runtime.records, runtime.store, None)


def with_public_key(runtime: Runtime) -> Findings:
    return verify(runtime.records, runtime.store, AUDIT_KEY.public_key())


def with_mac_key(runtime: Runtime, kept: Kept | None = None) -> Findings:
    return verify(runtime.records, runtime.store, None, macs=mac_key(MAC_SETTING), kept=kept)


def test_every_event_carries_a_mac_and_an_untouched_log_verifies_in_every_mode(
    runtime: Runtime,
) -> None:
    last = history(runtime)

    stored = runtime.records.read_stored(1, last)

    assert all(event.state.startswith(MARK) for event in stored)
    for findings in (chain_only(runtime), with_public_key(runtime), with_mac_key(runtime)):
        assert findings.intact, findings
    assert with_mac_key(runtime).before_macs == 0


def test_changed_bytes_are_named_by_the_chain_and_by_the_mac(runtime: Runtime) -> None:
    history(runtime)

    alter(runtime, 40)

    assert chain_only(runtime).changed == with_public_key(runtime).changed == [40]
    found = with_mac_key(runtime)
    assert found.changed == found.forged == [40]


def test_a_deleted_event_is_named_by_the_chain_and_its_record_by_the_version_it_lacks(
    runtime: Runtime,
) -> None:
    history(runtime)
    (deleted,) = runtime.records.read_stored(40, 40)

    on_stored_events(runtime, "DELETE FROM {events} WHERE {position} = %s", 40)

    for findings in (chain_only(runtime), with_public_key(runtime), with_mac_key(runtime)):
        assert findings.deleted == [40]
        assert [gap.split(" goes from")[0] for gap in findings.gaps] == [
            f"record {deleted.originator_id}"
        ]
        assert findings.forged == []  # a MAC cannot see a row that is gone


def test_an_event_slipped_into_a_gap_the_chain_passed_is_named_and_its_mac_fails(
    runtime: Runtime,
) -> None:
    history(runtime)
    on_stored_events(runtime, "DELETE FROM {events} WHERE {position} = %s", 40)
    runtime.projector.catch_up()
    with runtime.store.transaction(write=True) as tx:  # as if the position had been skipped
        tx.execute("DELETE FROM audit_chain WHERE position = 40")

    (template,) = runtime.records.read_stored(41, 41)
    record = uuid4() if runtime.settings.is_postgres else uuid4().hex
    on_stored_events(
        runtime,
        "INSERT INTO {events} ({position}, originator_id, originator_version, topic, state) "
        "VALUES (%s, %s, 1, %s, %s)",
        40, record, template.topic, template.state,
    )  # fmt: skip

    assert chain_only(runtime).inserted == with_public_key(runtime).inserted == [40]
    found = with_mac_key(runtime)
    assert found.inserted == found.forged == [40]


def test_a_row_appended_by_sql_is_chained_unseen_but_its_mac_names_it(runtime: Runtime) -> None:
    last = history(runtime)

    append_copy(runtime, 40)
    runtime.projector.catch_up()  # the projector chains what it finds, as it would any event

    assert chain_only(runtime).intact
    assert with_public_key(runtime).intact
    appended = runtime.records.last_position()
    assert appended > last and with_mac_key(runtime).forged == [appended]


def test_two_events_whose_bytes_were_swapped_are_both_named(runtime: Runtime) -> None:
    history(runtime)

    swap(runtime, 40, 41)

    assert chain_only(runtime).changed == with_public_key(runtime).changed == [40, 41]
    assert with_mac_key(runtime).forged == [40, 41]


def test_a_chain_recomputed_after_a_change_is_caught_by_the_checkpoints_and_named_by_the_mac(
    runtime: Runtime,
) -> None:
    history(runtime)

    alter(runtime, 40)
    rechain_from(runtime, 40, link)

    assert chain_only(runtime).intact  # the chain alone now agrees with the changed log
    signed = with_public_key(runtime)
    assert signed.changed == [] and signed.checkpoints  # not named, but not intact either
    assert all("signature does not match" in problem for problem in signed.checkpoints)
    assert with_mac_key(runtime).forged == [40]


def test_a_change_after_the_last_checkpoint_with_the_tail_rechained_is_named_by_the_mac_alone(
    runtime: Runtime,
) -> None:
    last = history(runtime)
    with runtime.store.transaction() as tx:
        checkpoint = latest_checkpoint(tx)
    assert checkpoint is not None and int(checkpoint["position"]) < last
    after = int(checkpoint["position"]) + 1

    alter(runtime, after)
    rechain_from(runtime, after, link)

    assert chain_only(runtime).intact
    assert with_public_key(runtime).intact
    assert with_mac_key(runtime).forged == [after]


def test_a_cut_tail_is_seen_only_against_a_checkpoint_kept_outside_the_database(
    runtime: Runtime,
) -> None:
    last = history(runtime)
    kept = kept_head(runtime)

    cut_after(runtime, last - 30)

    assert chain_only(runtime).intact
    assert with_public_key(runtime).intact
    assert with_mac_key(runtime).intact  # nothing left in the log says it was longer
    found = with_mac_key(runtime, kept)
    assert not found.intact
    assert found.kept[0] == (
        f"the log ends at {last - 30}, before the kept checkpoint at {last}: it was cut back"
    )


def test_the_verify_command_checks_macs_and_a_kept_checkpoint(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = history(runtime)
    head = kept_head(runtime)
    settings = runtime.settings
    monkeypatch.setenv("STEPWISE_DATABASE_URL", settings.database_url)
    if settings.database_schema:
        monkeypatch.setenv("STEPWISE_DATABASE_SCHEMA", settings.database_schema)
    monkeypatch.setenv("STEPWISE_EVENT_MAC_KEY", MAC_SETTING)
    kept = f"{head.position}:{head.link.hex()}"

    intact = CliRunner().invoke(cli, ["audit", "verify", "--kept", kept])
    alter(runtime, 40)
    rechain_from(runtime, 40, link)
    cut_after(runtime, last - 5)
    tampered = CliRunner().invoke(cli, ["audit", "verify", "--kept", kept])
    refused = CliRunner().invoke(cli, ["audit", "verify", "--kept", "12:abc"])

    assert intact.exit_code == 0, intact.output
    assert "Intact" in intact.output and "MACs were not checked" not in intact.output
    assert tampered.exit_code == 1, tampered.output
    said = " ".join(tampered.output.split())  # as the terminal's width wrapped it
    assert "forged: the event at position 40 does not match its MAC" in said
    assert f"the log ends at {last - 5}, before the kept checkpoint at {last}: it was cut" in said
    assert refused.exit_code == 2 and "POSITION:HASH" in refused.output


def test_the_head_is_signed_on_time_between_counted_checkpoints(settings: Settings) -> None:
    timed = build(settings.model_copy(update={"audit_checkpoint_seconds": 0.2}))
    try:
        timed.keep_read_models()
        plan = agreed_plan(timed.records)
        change_hours(timed.records, plan.person_id, 12)
        last = timed.records.last_position()
        assert last % CHECKPOINT_EVERY != 0
        deadline = time.monotonic() + 20
        checkpoint = None
        while time.monotonic() < deadline:
            with timed.store.transaction() as tx:
                checkpoint = latest_checkpoint(tx)
            if checkpoint is not None and int(checkpoint["position"]) == last:
                break
            time.sleep(0.1)
        assert checkpoint is not None and int(checkpoint["position"]) == last
        assert with_public_key(timed).intact  # its signature verifies like any other
    finally:
        timed.close()


def test_events_written_with_a_mac_stay_readable_without_the_key(settings: Settings) -> None:
    written = build(settings)
    try:
        plan = agreed_plan(written.records)
    finally:
        written.close()

    unkeyed = build(settings.model_copy(update={"event_mac_key": None}))
    try:
        person = unkeyed.records.repository.get(UUID(plan.person_id))
        later = change_hours(unkeyed.records, plan.person_id, 9)
        found = with_mac_key(unkeyed)
    finally:
        unkeyed.close()

    assert person.name == "Ruth Evans"
    assert found.unsigned == [later.position]  # written while the key was not set
