"""Upgrading in place: a read model met for the first time replaces any table of its name that
an earlier version of Stepwise kept under another read model, and builds it from the log."""

from __future__ import annotations

from datetime import timedelta

from domain.restriction import RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from infra.bootstrap import build
from infra.settings import Settings
from tests.support.scenarios import MANAGER, register, run


def test_a_table_an_earlier_version_kept_under_another_read_model_is_replaced(
    settings: Settings,
) -> None:
    runtime = build(settings)
    try:
        person = register(runtime.records).record_id
        review_by = runtime.records.clock().date() + timedelta(days=30)
        imposed = ImposeRestriction(person, "Card kept", "Lost two", RestrictionBasis.CONSENT,
                                    "Only when shopping", ["A purse"], "Mo", review_by)  # fmt: skip
        run(runtime.records, imposed, MANAGER)
        with runtime.store.transaction(write=True) as tx:  # as an earlier version left it
            tx.execute("DROP TABLE restrictions")
            tx.execute("CREATE TABLE restrictions (restriction_id TEXT PRIMARY KEY, "
                       "service_id TEXT, review_by TEXT)")  # fmt: skip
            tx.execute("DELETE FROM projection_tracking WHERE projection = 'restrictions'")
    finally:
        runtime.close()

    upgraded = build(settings)
    try:
        upgraded.projector.catch_up()
        with upgraded.store.transaction() as tx:
            rows = tx.fetchall("SELECT person_id, what FROM restrictions")
    finally:
        upgraded.close()

    assert rows == [{"person_id": person, "what": "Card kept"}]
