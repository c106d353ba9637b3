"""A parked read model, as a client and an operator see it: queries that need it are told at
once that it cannot get there, queries on the others are answered, and /ready and
projectionPositions say which read model stopped, where, and why."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime
from infra.projector import Projector
from infra.settings import Settings
from projections.support_plans import SupportPlans
from tests.e2e.helpers import MANAGER, WAIT_FOR_POSITION, Api, agreed_plan

REDUCED: Any = SupportPlan.SupportHoursReduced  # made by the library: type checkers cannot see it
FAULT = "hours ledger unavailable"
PLAN = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek } }"
PERSON = "query($id: ID!) { person(id: $id) { id name } }"
POSITIONS = "{ projectionPositions { name position state error errorPosition } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Queries wait up to 30 s for a position, so a NOT_READY that came only from the timeout
    would hold the test up for that long."""
    return settings.model_copy(update={"wait_for_position_timeout_seconds": 30.0})


def eventually(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.02)


def parked_plan(api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    """An agreed plan whose cut in hours the support_plans read model cannot apply: the
    person's id, and the position of the cut, which support_plans is parked before."""
    plan = agreed_plan(api)
    api.query(PLAN, {"p": plan.person_id})  # every read model has caught up

    def broken(*_: object) -> None:
        raise RuntimeError(FAULT)

    monkeypatch.setitem(SupportPlans._handlers, REDUCED, broken)
    cut = {"personId": plan.person_id, "hoursPerWeek": 10, "reason": "Goals met"}
    position: int = api.mutate("setSupportHours", cut, MANAGER)["position"]
    others = [model.name for model in runtime.projector.models if model.name != "support_plans"]
    eventually(
        lambda: (
            runtime.projector.statuses()["support_plans"].parked
            and all(runtime.projector.positions()[name] == position for name in others)
        ),
        "support_plans parks and the other read models reach the cut",
    )
    return plan.person_id, position


def test_a_query_waiting_on_a_parked_read_model_is_not_ready_at_once_and_others_answer(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    person_id, position = parked_plan(api, runtime, monkeypatch)
    waiting = {WAIT_FOR_POSITION: str(position)}

    error = api.failure(PLAN, {"p": person_id}, waiting)
    person = api.post(PERSON, {"id": person_id}, waiting)

    assert error["extensions"]["code"] == "NOT_READY"
    assert error["extensions"]["readModels"] == ["support_plans"]
    assert error["extensions"]["position"] == position
    assert "parked" in error["message"] and FAULT in error["message"]
    assert "errors" not in person, person["errors"]
    assert person["data"]["person"] == {"id": person_id, "name": "Ruth Evans"}


def test_readiness_and_projection_positions_say_which_read_model_is_parked_where_and_why(
    api: Api, client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/ready").json()["status"] == "ready"
    _, position = parked_plan(api, runtime, monkeypatch)

    ready = client.get("/ready")
    positions = api.post(POSITIONS)["data"]["projectionPositions"]

    assert ready.status_code == 503
    assert client.get("/health").json() == {"status": "ok"}  # the process itself is alive
    body = ready.json()
    assert body["status"] == "not_ready" and body["database"] == "up"
    assert body["lastPosition"] == position
    assert body["readModels"]["support_plans"] == {
        "position": position - 1,
        "behind": 1,
        "state": "parked",
        "error": f"RuntimeError: {FAULT}",
        "errorPosition": position,
    }
    others = {name: entry for name, entry in body["readModels"].items() if name != "support_plans"}
    assert others and all(
        entry == {"position": position, "behind": 0, "state": "live"} for entry in others.values()
    )
    by_name = {entry.pop("name"): entry for entry in positions}
    assert by_name["support_plans"] == {
        "position": position - 1,
        "state": "PARKED",
        "error": f"RuntimeError: {FAULT}",
        "errorPosition": position,
    }
    assert all(
        by_name[name] == {"position": position, "state": "LIVE", "error": None,
                          "errorPosition": None}
        for name in others
    )  # fmt: skip


def test_a_read_model_retried_and_caught_up_by_another_process_is_read_not_refused(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed = SupportPlans._handlers[REDUCED]
    person_id, position = parked_plan(api, runtime, monkeypatch)
    waiting = {WAIT_FOR_POSITION: str(position)}
    assert api.failure(PLAN, {"p": person_id}, waiting)["extensions"]["code"] == "NOT_READY"
    runtime.projector.stop()  # from here on only another process moves the read models

    monkeypatch.setitem(SupportPlans._handlers, REDUCED, fixed)
    elsewhere = Projector(runtime.records, runtime.store, runtime.projector.models)
    elsewhere.retry("support_plans")
    elsewhere.catch_up()
    body = api.post(PLAN, {"p": person_id}, waiting)

    assert "errors" not in body, body["errors"]
    assert body["data"]["supportPlan"]["supportHoursPerWeek"] == 10
