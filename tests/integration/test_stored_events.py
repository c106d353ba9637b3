"""Events stored by earlier versions, before they carried what they replaced, still load into
their records and read models (their class versions are upcast on reading)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.outcome import OutcomeTerms
from domain.person import Person
from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime
from tests.support.scenarios import agreed_plan, context


def store_as_first_version(runtime: Runtime, record: Person | SupportPlan, drop: list[str]) -> None:
    """Saves the record's pending event as version 1 of its class wrote it: without the
    fields added since and without a class version."""
    mapper, (event,) = runtime.records.mapper, record.collect_events()
    stored = mapper.to_stored_event(event)
    state: dict[str, Any] = mapper.transcoder.decode(stored.state)
    for name in [*drop, "class_version"]:
        state.pop(name, None)
    old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                      mapper.transcoder.encode(state))  # fmt: skip
    runtime.records.recorder.insert_events([old])


def test_a_move_stored_before_it_said_where_from_still_loads_and_projects(
    runtime: Runtime,
) -> None:
    plan = agreed_plan(runtime.records)
    person = runtime.records.repository.get(UUID(plan.person_id))
    person.move(runtime.records._seal(context(reason="New flat"), "svc-1"), service_id="svc-2",
                team_id=None)  # fmt: skip
    store_as_first_version(runtime, person, ["from_service_id", "from_team_id"])

    reloaded = runtime.records.repository.get(UUID(plan.person_id))
    (_, moved), *_ = runtime.records.read_stream(
        reloaded.id, runtime.records.last_position() - 1, 1
    )
    runtime.projector.catch_up()

    assert reloaded.service_id == "svc-2"
    assert (moved.from_service_id, moved.from_team_id) == (None, None)  # type: ignore[attr-defined]
    with runtime.store.transaction() as tx:
        row = tx.fetchone("SELECT service_id FROM people WHERE person_id = %(p)s",
                          {"p": plan.person_id})  # fmt: skip
    assert row == {"service_id": "svc-2"}


def test_a_revision_stored_before_it_kept_what_it_replaced_shows_the_plans_earlier_terms(
    runtime: Runtime,
) -> None:
    plan = agreed_plan(runtime.records)
    loaded: SupportPlan = runtime.records.repository.get(SupportPlan.create_id(plan.person_id))
    envelope = runtime.records._seal(context(reason="Goal met"), "svc-1")
    loaded.revise_outcome(envelope, plan.outcome_id, OutcomeTerms(target="Cooks every day"))
    store_as_first_version(runtime, loaded, ["previous"])

    runtime.projector.catch_up()

    with runtime.store.transaction() as tx:
        last = tx.fetchone("SELECT summary, changes FROM plan_versions WHERE person_id = %(p)s "
                           "ORDER BY version DESC LIMIT 1", {"p": plan.person_id})  # fmt: skip
    assert last is not None and last["summary"] == "Outcome 'Cooks a meal' revised: target"
    assert json.loads(last["changes"]) == [
        {"field": f"outcomes.{plan.outcome_id}.target", "before": "Cooks twice a week",
         "after": "Cooks every day"}
    ]  # fmt: skip
