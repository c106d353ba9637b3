"""Support workers, senior support workers and inspectors reach the people of the services
their token names, and nobody else's: reads answer as if the others did not exist, writes are
refused with `access.service`, and an inspector whose grant has ended reads nothing at all."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import (
    INSPECTOR,
    MANAGER,
    WORKER,
    Api,
    Staff,
    agreed_plan,
    register,
)
from tests.e2e.test_tenant_isolation import everything, feed

NORTH_WORKER = Staff("u-nia", "Nia Ford", "support_worker", services=("svc-north",))
NORTH_INSPECTOR = Staff("u-iz", "Iz Park", "inspector", services=("svc-north",), grant_days=7)
ENDED_GRANT = Staff("u-iz", "Iz Park", "inspector", services=("svc-1",), grant_days=-1)
PEOPLE = "query($s: ID) { people(serviceId: $s, first: 50) { edges { node { id } } } }"
NOBODY = {
    "person": None, "assessment": None, "supportPlan": None, "earlierPlan": None,
    "planHistory": {"edges": []}, "planDiff": {"differences": []},
    "auditTrail": {"edges": []}, "people": {"edges": []},
}  # fmt: skip


def people(api: Api, reader: Staff, service: str | None = None) -> Any:
    body = api.post(PEOPLE, {"s": service}, reader.headers())
    return body.get("errors") or [e["node"]["id"] for e in body["data"]["people"]["edges"]]


def test_staff_of_one_service_read_nothing_of_another_service_s_people(api: Api) -> None:
    plan = agreed_plan(api)  # in svc-1
    north = register(api, "Nell North", service_id="svc-north", by=MANAGER)

    for outsider in (NORTH_WORKER, NORTH_INSPECTOR):
        assert everything(api, outsider, plan.person_id, plan.assessment_id) == NOBODY | {
            "people": {"edges": [{"node": {"id": north}}]}
        }
    assert everything(api, WORKER, plan.person_id, plan.assessment_id)["supportPlan"]
    assert people(api, WORKER) == [plan.person_id]
    assert people(api, MANAGER) == [plan.person_id, north]  # a manager's token names no service


def test_asking_for_a_service_outside_the_token_is_refused_with_its_rule(api: Api) -> None:
    register(api)
    (error,) = people(api, NORTH_WORKER, service="svc-1")
    assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.service"}
    assert "svc-1" in error["message"]


def test_staff_change_nothing_outside_their_services(api: Api) -> None:
    person_id = register(api)  # in svc-1

    moved = api.refuse("movePerson", {"personId": person_id, "serviceId": "svc-north",
                                      "reason": "closer to home"}, NORTH_WORKER)  # fmt: skip
    moved_away = api.refuse("movePerson", {"personId": person_id, "serviceId": "svc-north",
                                           "reason": "closer to home"}, WORKER)  # fmt: skip
    registered = api.refuse("registerPerson", {"name": "Al", "serviceId": "svc-1"}, NORTH_WORKER)
    assessed = api.refuse("startAssessment", {"personId": person_id}, NORTH_WORKER)

    for error in (moved, moved_away, registered, assessed):
        assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.service"}


def test_drafting_a_plan_outside_one_s_services_reveals_nothing_of_the_person(api: Api) -> None:
    plan = agreed_plan(api)  # already drafted: a rule would say so to anyone who may draft

    draft = {"personId": plan.person_id, "assessmentId": plan.assessment_id}
    error = api.refuse("draftSupportPlan", draft, NORTH_WORKER)

    assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.service"}


def test_a_note_outside_one_s_services_reveals_nothing_of_the_person_s_plan(api: Api) -> None:
    person_id = register(api)  # in svc-1, with no plan yet

    note = {"personId": person_id, "outcomeId": "outcome-1", "note": "Walked to the shop"}
    error = api.refuse("recordEvidenceNote", note, NORTH_WORKER)

    assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.service"}


def test_records_follow_their_person_to_the_service_now_supporting_them(api: Api) -> None:
    plan = agreed_plan(api)  # in svc-1
    move = {"personId": plan.person_id, "serviceId": "svc-north", "reason": "New flat"}
    api.mutate("movePerson", move, MANAGER)
    streams = {plan.person_id, plan.assessment_id}

    svc_1_worker = everything(api, WORKER, plan.person_id, plan.assessment_id)
    north_worker = everything(api, NORTH_WORKER, plan.person_id, plan.assessment_id)

    assert svc_1_worker == NOBODY
    assert not streams & {e["streamId"] for e in feed(api, WORKER)}
    assert north_worker["supportPlan"] and north_worker["auditTrail"]["edges"]  # type: ignore[index]
    assert streams < {e["streamId"] for e in feed(api, NORTH_WORKER)}


def test_the_change_feed_carries_only_the_events_of_the_caller_s_services(api: Api) -> None:
    ours = register(api)
    north = register(api, "Nell North", service_id="svc-north", by=MANAGER)

    assert [e["streamId"] for e in feed(api, NORTH_WORKER)] == [north]
    assert [e["streamId"] for e in feed(api, WORKER)] == [ours]
    assert [e["streamId"] for e in feed(api, MANAGER)] == [ours, north]


def test_an_inspector_whose_grant_has_ended_reads_nothing(api: Api) -> None:
    plan = agreed_plan(api)
    assert everything(api, INSPECTOR, plan.person_id, plan.assessment_id)["supportPlan"]

    body = api.post("query($p: ID!) { supportPlan(personId: $p) { status } }",
                    {"p": plan.person_id}, ENDED_GRANT.headers())  # fmt: skip

    assert body["data"] == {"supportPlan": None}
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.grant_expired"}
    assert "grant to inspect ended" in error["message"]
    assert api.post(PEOPLE, {"s": None}, ENDED_GRANT.headers())["data"] is None
