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
