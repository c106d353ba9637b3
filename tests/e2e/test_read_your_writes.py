"""Read-your-writes: a client that sends its write's position as X-Stepwise-Wait-For-Position
sees that write in the very next query, however far the read models lag behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from infra.bootstrap import Runtime
from infra.log_reader import Stretch
from infra.projector import Lane
from projections.base import Batch
from tests.e2e.helpers import SENIOR, WAIT_FOR_POSITION, Api, agreed_plan

HOURS = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek } }"
LAG_PER_PROJECTION = 0.1  # seconds: the support-plan read model lags ~0.3 s behind the log


@pytest.fixture
def slow_read_models(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Once set, every batch takes a while to reach each read model, as under load, whether
    read models apply it on their own or together."""
    projector, lagging = runtime.projector, threading.Event()
    advance, apply_together = projector.advance, projector._apply_together

    def slowly(lane: Lane, batch: Batch, end: int) -> None:
        if batch and lagging.is_set():
            time.sleep(LAG_PER_PROJECTION)
        advance(lane, batch, end)

    def slowly_together(lanes: Sequence[Lane], stretch: Stretch) -> list[Lane]:
        if lagging.is_set():
            time.sleep(LAG_PER_PROJECTION)
        return apply_together(lanes, stretch)

    monkeypatch.setattr(projector, "advance", slowly)
    monkeypatch.setattr(projector, "_apply_together", slowly_together)
    return lagging


def settled_plan(api: Api) -> str:
    """An agreed plan at 14 hours a week, which every read model already shows."""
    plan = agreed_plan(api)
    hours = api.query(HOURS, {"p": plan.person_id})["supportPlan"]["supportHoursPerWeek"]
    assert hours == 14
    return plan.person_id


def cut_hours(api: Api, person_id: str, hours: float) -> dict:
    change = {"personId": person_id, "hoursPerWeek": hours, "reason": "Goals met"}
    return api.mutate("setSupportHours", change, SENIOR)


def test_the_next_query_sent_with_the_writes_position_sees_the_write(api: Api) -> None:
    person_id = settled_plan(api)

    written = cut_hours(api, person_id, 10)
    body = api.post(HOURS, {"p": person_id}, {WAIT_FOR_POSITION: str(written["position"])})

    assert body["data"]["supportPlan"] == {"version": written["version"], "supportHoursPerWeek": 10}


def test_a_lagging_read_model_is_waited_for_while_a_query_without_the_header_reads_stale(
    api: Api, slow_read_models: threading.Event
) -> None:
    person_id = settled_plan(api)
    slow_read_models.set()

    written = cut_hours(api, person_id, 10)
    stale = api.post(HOURS, {"p": person_id})
    fresh = api.post(HOURS, {"p": person_id}, {WAIT_FOR_POSITION: str(written["position"])})

    assert stale["data"]["supportPlan"]["supportHoursPerWeek"] == 14  # the lag is real
    assert fresh["data"]["supportPlan"] == {
        "version": written["version"],
        "supportHoursPerWeek": 10,
    }


def test_every_field_of_a_query_sent_with_the_header_sees_the_write(
    api: Api, slow_read_models: threading.Event
) -> None:
    person_id = settled_plan(api)
    slow_read_models.set()

    written = cut_hours(api, person_id, 10)
    query = (
        "query($p: ID!) { person(id: $p) { id } "
        "supportPlan(personId: $p) { version supportHoursPerWeek } }"
    )
    body = api.post(query, {"p": person_id}, {WAIT_FOR_POSITION: str(written["position"])})

    assert body["data"]["supportPlan"] == {"version": written["version"], "supportHoursPerWeek": 10}


def test_a_query_waits_only_for_the_read_models_it_reads(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    person_id = settled_plan(api)
    advance, chain_may_go = runtime.projector.advance, threading.Event()

    def chain_stall(lane: Lane, batch: Batch, end: int) -> None:
        if lane.model.name == "audit_chain" and batch:
            chain_may_go.wait(timeout=10)
        advance(lane, batch, end)

    monkeypatch.setattr(runtime.projector, "advance", chain_stall)
    try:
        move = {"personId": person_id, "serviceId": "svc-2", "reason": "New flat"}
        api.mutate("movePerson", move, SENIOR)
        written = cut_hours(api, person_id, 10)
        history = api.post(
            "query($p: ID!) { planHistory(personId: $p, first: 20) { edges { node { reason } } } }",
            {"p": person_id},
            {WAIT_FOR_POSITION: str(written["position"])},
        )
        positions = api.post("{ projectionPositions { name position } }")["data"]
    finally:
        chain_may_go.set()

    assert history["data"]["planHistory"]["edges"][-1]["node"]["reason"] == "Goals met"
    reached = {p["name"]: p["position"] for p in positions["projectionPositions"]}
    assert reached["support_plans"] == written["position"]
    assert reached["audit_chain"] < written["position"]  # still stalled: nobody waited for it
