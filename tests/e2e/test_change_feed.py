"""The change feed: a client pages through everything, stores the cursor, and later resumes
to receive exactly what followed, once, in log order."""

from __future__ import annotations

import base64

import pytest

from tests.e2e.helpers import (
    MANAGER,
    SENIOR,
    WORKER,
    Api,
    Staff,
    agreed_plan,
    feed_page,
    read_feed,
    register,
    rules,
)
from tests.support.payloads import PAYLOAD
from tests.support.payloads import published as published_payload
from tests.support.staffing import JOINED_EVENTS

FEED = "query($after: String, $first: Int!) { events(after: $after, first: $first) { " \
       "edges { cursor } pageInfo { hasNextPage endCursor } } }"  # fmt: skip


def test_small_pages_cover_the_whole_log_in_order_without_gaps(api: Api) -> None:
    agreed_plan(api)
    last = api.last_written

    positions, after, pages = [], None, 0
    while True:
        page = feed_page(api, after, first=3)
        pages += 1
        assert len(page["edges"]) <= 3
        positions += [edge["node"]["position"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert positions == list(range(JOINED_EVENTS + 1, last + 1))  # staff records are not shown
    assert pages == -(-(last - JOINED_EVENTS) // 3)


def test_resuming_from_a_stored_cursor_gives_exactly_the_new_events_once(api: Api) -> None:
    plan = agreed_plan(api)
    before, stored_cursor = read_feed(api, first=4)

    written = [
        api.mutate("setSupportHours", {"personId": plan.person_id, "hoursPerWeek": 10,
                                       "reason": "Shops alone now"}, SENIOR),
        api.mutate("registerPerson", {"name": "Ben Ode", "serviceId": "svc-2"}),
        api.mutate("writeStaffGuidance", {"personId": plan.person_id,
                   "guidance": "Wait nearby", "reason": "More confident"}, MANAGER),
    ]  # fmt: skip
    new, resume_cursor = read_feed(api, after=stored_cursor, first=2)

    assert [event["position"] for event in new] == [w["position"] for w in written]
    assert [event["eventType"].split(".")[-1] for event in new] == [
        "SupportHoursReduced", "Registered", "StaffGuidanceRewritten"
    ]  # fmt: skip
    assert {e["position"] for e in new}.isdisjoint(e["position"] for e in before)
    again, cursor_after = read_feed(api, after=resume_cursor, first=2)
    assert again == [] and cursor_after == resume_cursor


def test_an_empty_page_hands_back_the_cursor_it_was_given(api: Api) -> None:
    register(api)
    _, cursor = read_feed(api)

    page = api.query(FEED, {"after": cursor, "first": 5})["events"]

    assert page == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": cursor}}


def test_each_event_in_the_feed_carries_its_envelope_and_facts(api: Api) -> None:
    headers = WORKER.headers() | {"X-Correlation-Id": "req-42"}
    document = "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { recordId } }"
    body = api.post(document, {"i": {"name": "Ruth Evans", "serviceId": "svc-1"}}, headers)
    person_id = body["data"]["registerPerson"]["recordId"]

    (event,), _ = read_feed(api)

    assert event["streamId"] == person_id and event["streamType"] == "Person"
    assert event["version"] == 1 and event["eventType"].endswith("Registered")
    assert event["actor"] == {"id": WORKER.id, "name": WORKER.name, "role": WORKER.shown_role}
    assert event["tenantId"] == WORKER.tenant and event["correlationId"] == "req-42"
    assert event["schemaVersion"] == 1
    assert event["payload"] == {"name": "Ruth Evans", "dateOfBirth": None, "serviceId": "svc-1",
                                "teamId": None}  # fmt: skip


PUBLISHED = """{ publishedEventTypes { eventType schemaVersion description
  fields { name description } } }"""
AUDIT = f"""query($stream: ID!) {{ auditTrail(streamId: $stream, first: 50) {{
  edges {{ node {{ eventType schemaVersion {PAYLOAD} }} }} }} }}"""


def test_integrators_can_read_from_the_api_what_each_payload_holds(api: Api) -> None:
    plan = agreed_plan(api)

    published = {t["eventType"]: t for t in api.query(PUBLISHED)["publishedEventTypes"]}
    events, _ = read_feed(api)
    audit = api.query(AUDIT, {"stream": plan.person_id})["auditTrail"]["edges"]

    assert len(events) > 10 and audit
    for event in [*events, *(edge["node"] for edge in audit)]:
        documented = published[event["eventType"]]
        assert event["schemaVersion"] == documented["schemaVersion"]
        assert set(published_payload(event["payload"])) == {
            field["name"] for field in documented["fields"]
        }
    assert all(t["description"] and t["schemaVersion"] >= 1 for t in published.values())
    assert published["SupportPlan.SupportHoursReduced"]["fields"] == [
        {"name": "before", "description": "Weekly support hours before the change"},
        {"name": "after", "description": "Weekly support hours now (fewer than before)"},
    ]


def test_the_feed_is_readable_at_once_without_waiting_for_read_models(api: Api) -> None:
    written = api.mutate("registerPerson", {"name": "Ruth", "serviceId": "svc-1"})

    page = api.post(FEED, {"after": None, "first": 5})["data"]["events"]

    assert len(page["edges"]) == 1
    assert page["pageInfo"]["endCursor"] == page["edges"][0]["cursor"]
    assert written["position"] == JOINED_EVENTS + 1


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "after",
    ["garbage", "", "!!!!", cursor("position:-1"), cursor("position:x"), cursor("person:1"),
     cursor("position")],
    ids=["garbage", "empty", "symbols", "negative", "not-a-number", "other-list", "no-value"],
)  # fmt: skip
def test_a_cursor_this_feed_did_not_issue_is_refused(api: Api, after: str) -> None:
    register(api)

    error = api.failure(FEED, {"after": after, "first": 5})

    assert rules(error) == ["input.cursor.invalid"]
    assert error["extensions"]["violations"][0]["field"] == "after"


def test_a_cursor_at_the_largest_possible_position_gives_an_empty_page(api: Api) -> None:
    register(api)
    last_possible = cursor(f"position:{2**63 - 1}")

    page = api.query(FEED, {"after": last_possible, "first": 5})["events"]

    assert page == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": last_possible}}


def test_a_forged_cursor_beyond_any_position_gives_an_empty_page_or_a_refusal(api: Api) -> None:
    register(api)
    forged = cursor(f"position:{2**64}")

    body = api.post(FEED, {"after": forged, "first": 5})

    if "errors" in body:  # refusing is fine; failing unexpectedly is not
        (error,) = body["errors"]
        assert rules(error) == ["input.cursor.invalid"]
    else:
        empty = {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": forged}}
        assert body["data"]["events"] == empty


@pytest.mark.parametrize("first", [0, -1, 101])
def test_a_page_size_outside_one_to_a_hundred_is_refused(api: Api, first: int) -> None:
    error = api.failure(FEED, {"after": None, "first": first})

    assert rules(error) == ["input.first.range"]


FILTERED = """query($types: [String!], $kinds: [RecordType!], $person: ID, $service: ID,
  $after: String) {
  events(first: 100, after: $after, types: $types, recordTypes: $kinds, personId: $person,
         serviceId: $service) {
    edges { node { position eventType streamType streamId } } pageInfo { endCursor } } }"""
IN_ONE = Staff("u-una", "Una Webb", "manager", services=("svc-1",))


def filtered(api: Api, reader: Staff = WORKER, **given: object) -> list[dict]:
    api.reader = reader
    page = api.query(FILTERED, given)["events"]
    return [edge["node"] for edge in page["edges"]]


def test_an_integrator_asks_for_only_the_event_types_and_kinds_of_record_it_handles(
    api: Api,
) -> None:
    agreed_plan(api)
    register(api, "Omar Said", "svc-2")
    everything, _ = read_feed(api)
    wanted = {"Person.Registered", "SupportPlan.OutcomeAgreed"}

    by_type = filtered(api, types=sorted(wanted))
    by_kind = filtered(api, kinds=["ASSESSMENT"])

    assert [e["position"] for e in by_type] == [
        e["position"] for e in everything if e["eventType"] in wanted]  # fmt: skip
    assert {e["eventType"] for e in by_type} == wanted
    assert [e["position"] for e in by_kind] == [
        e["position"] for e in everything if e["streamType"] == "Assessment"]  # fmt: skip
    assert by_kind


def test_an_integrator_follows_one_person_s_records(api: Api) -> None:
    ruth = agreed_plan(api).person_id
    omar = agreed_plan(api, "Omar Said").person_id
    everything, _ = read_feed(api)

    ruths = filtered(api, person=ruth)

    streams = {e["streamId"] for e in ruths}
    assert ruth in streams and omar not in streams and len(streams) >= 3  # person, assessment, plan
    assert [e["position"] for e in ruths] == [
        e["position"] for e in everything if e["streamId"] in streams]  # fmt: skip


def test_a_service_s_feed_follows_the_person_index_when_a_person_moves(api: Api) -> None:
    omar = register(api, "Omar Said", "svc-2")
    ruth = register(api, "Ruth Evans", "svc-1")

    before = {e["streamId"] for e in filtered(api, service="svc-2")}
    api.mutate("movePerson", {"personId": omar, "serviceId": "svc-1", "reason": "Nearer home"},
               MANAGER)  # fmt: skip
    after = {e["streamId"] for e in filtered(api, service="svc-2")}
    in_one = {e["streamId"] for e in filtered(api, service="svc-1")}

    assert before == {omar} and after == set() and in_one == {omar, ruth}


def test_a_service_outside_the_reader_s_access_is_refused(api: Api) -> None:
    register(api, "Omar Said", "svc-2")
    api.reader = IN_ONE

    error = api.failure(FILTERED, {"service": "svc-2"})

    assert error["extensions"]["code"] == "FORBIDDEN"


def test_an_event_type_the_feed_does_not_publish_is_refused_with_where_to_look(api: Api) -> None:
    error = api.failure(FILTERED, {"types": ["Person.Registered", "Person.Teleported"]})

    assert rules(error) == ["input.types.unknown"]
    assert "Person.Teleported" in error["message"] + str(error["extensions"])
    assert "publishedEventTypes" in str(error["extensions"])


def test_a_poll_that_finds_nothing_of_its_own_moves_past_what_it_examined(api: Api) -> None:
    ruth = register(api, "Ruth Evans", "svc-1")
    cursor = api.query(FILTERED, {"person": ruth})["events"]["pageInfo"]["endCursor"]
    for n in range(3):
        register(api, f"Someone {n}", "svc-2")

    empty = api.query(FILTERED, {"person": ruth, "after": cursor})["events"]
    advocate = {"personId": ruth, "name": "Sam Evans", "relationship": "Brother"}
    written = api.mutate("recordAdvocate", advocate)
    resumed = filtered(api, person=ruth, after=empty["pageInfo"]["endCursor"])

    assert empty["edges"] == [] and empty["pageInfo"]["endCursor"] != cursor
    assert [e["position"] for e in resumed] == [written["position"]]
