"""A provider's token never reads another provider's records, in either direction: people,
assessments, plans (now and at a moment), plan history and differences, one record's trail and
the change feed all answer as if the other provider's records did not exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.helpers import (
    OTHER_PROVIDER,
    WAIT_FOR_POSITION,
    WORKER,
    Api,
    Staff,
    agreed_plan,
    register,
)
from tests.support.staffing import JOINED_RECORDS, WRITERS

NOW = datetime.now(UTC).isoformat()
EARLIER = (datetime.now(UTC) - timedelta(days=3650)).isoformat()
READS = """query($p: ID!, $a: ID!, $now: DateTime!, $earlier: DateTime!) {
  person(id: $p) { id }
  assessment(id: $a) { id }
  supportPlan(personId: $p) { status }
  earlierPlan: supportPlan(personId: $p, asOf: $now) { status }
  planHistory(personId: $p) { edges { node { version } } }
  planDiff(personId: $p, from: $earlier, to: $now) { differences { field } }
  auditTrail(streamId: $p) { edges { node { position } } }
  people(first: 50) { edges { node { id } } }
}"""
FEED = "query($n: Int!) { events(first: $n) { edges { node { streamId tenantId } } } }"


def everything(api: Api, reader: Staff, person_id: str, assessment_id: str) -> dict[str, object]:
    variables = {"p": person_id, "a": assessment_id, "now": NOW, "earlier": EARLIER}
    waiting = {WAIT_FOR_POSITION: str(api.last_written)}  # every write so far is projected
    body = api.post(READS, variables, {**reader.headers(), **waiting})
    assert "errors" not in body, body["errors"]
    data: dict[str, object] = body["data"]
    return data


def feed(api: Api, reader: Staff, first: int = 100) -> list[dict[str, str]]:
    """The caller's feed, less the joining of the tests' staff (tests.support.staffing)."""
    body = api.post(FEED, {"n": first}, reader.headers())
    assert "errors" not in body, body["errors"]
    return [edge["node"] for edge in body["data"]["events"]["edges"]
            if edge["node"]["streamId"] not in JOINED_RECORDS]  # fmt: skip


def test_a_provider_reads_nothing_of_another_provider_s_records(api: Api) -> None:
    plan = agreed_plan(api)  # provider-a's

    own = everything(api, WORKER, plan.person_id, plan.assessment_id)
    other = everything(api, OTHER_PROVIDER, plan.person_id, plan.assessment_id)

    assert own["person"] and own["assessment"] and own["supportPlan"]
    assert own["planHistory"]["edges"] and own["auditTrail"]["edges"]  # type: ignore[index]
    assert other == {
        "person": None, "assessment": None, "supportPlan": None, "earlierPlan": None,
        "planHistory": {"edges": []}, "planDiff": {"differences": []},
        "auditTrail": {"edges": []}, "people": {"edges": []},
    }  # fmt: skip


def test_each_provider_s_change_feed_holds_its_own_events_only(api: Api) -> None:
    for number in range(3):
        register(api, name=f"Person {number}")
    theirs = register(api, name="Bo's client", by=OTHER_PROVIDER)

    joined = len(WRITERS)  # provider-b's staff records come first in its feed
    their_feed = feed(api, OTHER_PROVIDER, first=joined + 1)  # past provider-a's events
    our_feed = feed(api, WORKER)

    assert their_feed == [{"streamId": theirs, "tenantId": OTHER_PROVIDER.tenant}]
    assert len(our_feed) == 3 and {e["tenantId"] for e in our_feed} == {WORKER.tenant}
