"""Every read of a person's records leaves an entry a manager can read back: who, in which
role, when, which field, the purpose they gave; refused reads too, logged for the provider
whose record was asked for. Reading never waits for the log to be written."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from infra.bootstrap import Runtime
from tests.e2e.helpers import (
    INTEGRATION,
    MANAGER,
    OTHER_PROVIDER,
    TENANT_ADMIN,
    WAIT_FOR_POSITION,
    WORKER,
    Api,
    Staff,
    agreed_plan,
    rules,
)

PURPOSE = "X-Stepwise-Purpose"
ACCESS_LOG = """query($p: ID!) { accessLog(personId: $p, first: 100) { edges { node {
  field outcome recordId purpose detail correlationId actor { id role } } } } }"""
PLAN = "query($p: ID!) { supportPlan(personId: $p) { status } }"
ASSESSMENT = "query($a: ID!) { assessment(id: $a) { status } }"


def settled(api: Api) -> dict[str, str]:
    return {WAIT_FOR_POSITION: str(api.last_written)}


def log_of(api: Api, person_id: str, reader: Staff = MANAGER) -> list[dict[str, Any]]:
    body = api.post(ACCESS_LOG, {"p": person_id}, reader.headers())
    assert "errors" not in body, body["errors"]
    return [edge["node"] for edge in body["data"]["accessLog"]["edges"]]


def test_each_read_of_a_person_s_records_is_logged_with_who_why_and_which_field(
    api: Api,
) -> None:
    plan = agreed_plan(api)
    consent = {"personId": plan.person_id, "recipient": INTEGRATION.id, "purpose": "Records"}
    api.mutate("giveSharingConsent", consent)  # (the feed reaches the client with it)
    reason = {PURPOSE: "Preparing the six-week review", "X-Correlation-Id": "review-42"}

    api.post(PLAN, {"p": plan.person_id}, {**WORKER.headers(), **reason, **settled(api)})
    api.post(ASSESSMENT, {"a": plan.assessment_id}, {**WORKER.headers(), **settled(api)})
    api.post("{ events(first: 100) { edges { cursor } } }", None, INTEGRATION.headers())

    entries = log_of(api, plan.person_id)
    assert entries[0] == {
        "field": "supportPlan", "outcome": "READ", "recordId": None,
        "purpose": "Preparing the six-week review", "detail": None,
        "correlationId": "review-42", "actor": {"id": WORKER.id, "role": "SUPPORT_WORKER"},
    }  # fmt: skip
    assert (entries[1]["field"], entries[1]["recordId"]) == ("assessment", plan.assessment_id)
    fed = [(e["field"], e["recordId"], e["actor"]["role"]) for e in entries[2:]]
    assert len(fed) == 3  # the person's, the assessment's and the plan's streams, once each
    assert {("events", plan.person_id, "INTEGRATION_CLIENT"),
            ("events", plan.assessment_id, "INTEGRATION_CLIENT")} < set(fed)  # fmt: skip


def test_refused_reads_are_logged_for_the_provider_whose_record_was_asked_for(api: Api) -> None:
    plan = agreed_plan(api)

    api.post(PLAN, {"p": plan.person_id}, OTHER_PROVIDER.headers())  # another provider
    refused = api.post(PLAN, {"p": plan.person_id}, TENANT_ADMIN.headers())  # not a reader

    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "rule": "access.role"}
    denied = [(e["actor"]["id"], e["outcome"], e["detail"] is not None)
              for e in log_of(api, plan.person_id)]  # fmt: skip
    assert denied == [(OTHER_PROVIDER.id, "DENIED", True), (TENANT_ADMIN.id, "DENIED", True)]
    assert log_of(api, plan.person_id, OTHER_PROVIDER) == []  # theirs holds nothing of ours


def test_a_refused_read_by_another_provider_s_admin_is_logged_for_the_person_s_provider(
    api: Api,
) -> None:
    plan = agreed_plan(api)
    their_admin = Staff("u-bex", "Bex Hale", "tenant_admin", tenant=OTHER_PROVIDER.tenant)

    api.post(PLAN, {"p": plan.person_id}, their_admin.headers())

    assert [(e["actor"]["id"], e["outcome"]) for e in log_of(api, plan.person_id)] == [
        (their_admin.id, "DENIED")
    ]


def test_text_a_refused_caller_sends_never_stops_the_log(api: Api) -> None:
    plan = agreed_plan(api)
    hostile = {**TENANT_ADMIN.headers(), PURPOSE: "x\u0000" * 300, "X-Correlation-Id": "\u0000"}

    api.post('{ person(id: "a\\u0000b") { id } }', None, hostile)
    api.post(PLAN, {"p": plan.person_id}, hostile)
    api.post(PLAN, {"p": plan.person_id}, {**WORKER.headers(), **settled(api)})

    entries = log_of(api, plan.person_id)
    assert [(e["actor"]["id"], e["outcome"]) for e in entries] == [
        (TENANT_ADMIN.id, "DENIED"),
        (WORKER.id, "READ"),
    ]
    assert len(entries[0]["purpose"]) == 500 and "\u0000" not in entries[0]["purpose"]


def test_only_managers_and_tenant_admins_read_the_access_log(api: Api) -> None:
    plan = agreed_plan(api)

    error = api.failure(ACCESS_LOG, {"p": plan.person_id}, WORKER.headers())

    assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.role"}
    assert log_of(api, plan.person_id, TENANT_ADMIN) == log_of(api, plan.person_id)[:-1]


def test_a_read_is_answered_while_the_log_cannot_be_written(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = agreed_plan(api)
    log = runtime.access_log
    may_write, flush = threading.Event(), log.flush

    def stuck() -> None:
        may_write.wait(timeout=10)
        flush()

    monkeypatch.setattr(log, "flush", stuck)
    try:
        body = api.post(PLAN, {"p": plan.person_id}, {**WORKER.headers(), **settled(api)})
        waiting = log.waiting
    finally:
        may_write.set()
        monkeypatch.undo()

    assert body["data"]["supportPlan"] == {"status": "AGREED"}
    assert waiting >= 1
    assert [e["field"] for e in log_of(api, plan.person_id)] == ["supportPlan"]


def test_a_purpose_that_is_not_printable_text_is_refused(api: Api) -> None:
    plan = agreed_plan(api)

    error = api.failure(PLAN, {"p": plan.person_id}, {**WORKER.headers(), PURPOSE: "x" * 201})

    assert rules(error) == ["input.header.purpose"]
