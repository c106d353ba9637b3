"""A service-wide or per-person list is read a page at a time: in the order the whole list
takes, resumed after a cursor, and only the records a page shows are logged as read."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import MANAGER, Api, days_ago_iso, nodes, rules
from tests.e2e.test_access_log import log_of
from tests.e2e.test_risk_and_restrictions import impose, register_at

IN_FORCE = """query($s: ID!, $first: Int!, $after: String) {
  restrictionsInForce(serviceId: $s, first: $first, after: $after) {
    edges { cursor node { restrictionId personId } } pageInfo { hasNextPage endCursor } } }"""
DUE = """query($s: ID!, $before: Date!) { restrictionsDueForReview(serviceId: $s,
  before: $before) { pageInfo { endCursor } } }"""


def in_force(api: Api, first: int, after: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = api.query(IN_FORCE, {"s": "svc-1", "first": first, "after": after})[
        "restrictionsInForce"
    ]
    return page


def three_restricted(api: Api) -> list[str]:
    """Three people of svc-1, each with a restriction due for review a day apart: their ids,
    in review-by order."""
    people = [register_at(api, days_ago_iso(40)) for _ in range(3)]
    for days, person in enumerate(people):
        impose(api, person, 30, 40 + days)
    return people


def test_a_list_read_page_by_page_is_the_whole_list_in_its_order(api: Api) -> None:
    people = three_restricted(api)
    api.reader = MANAGER

    first = in_force(api, 2)
    rest = in_force(api, 2, first["pageInfo"]["endCursor"])

    assert [r["personId"] for r in nodes(first) + nodes(rest)] == people
    assert nodes(first) + nodes(rest) == nodes(in_force(api, 50))
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"] == {"hasNextPage": False, "endCursor": rest["edges"][-1]["cursor"]}
    assert in_force(api, 2, rest["pageInfo"]["endCursor"])["edges"] == []


def test_only_the_records_a_page_shows_are_logged_as_read(api: Api) -> None:
    shown, _, unseen = three_restricted(api)

    in_force(api, 1)

    assert [e["field"] for e in log_of(api, shown)].count("restrictionsInForce") == 1
    assert "restrictionsInForce" not in [e["field"] for e in log_of(api, unseen)]


def test_a_cursor_of_another_list_and_a_page_past_the_limit_are_refused(api: Api) -> None:
    three_restricted(api)
    other = api.query(DUE, {"s": "svc-1", "before": "2100-01-01"})
    cursor = other["restrictionsDueForReview"]["pageInfo"]["endCursor"]

    wrong_list = api.failure(IN_FORCE, {"s": "svc-1", "first": 2, "after": cursor})
    too_many = api.failure(IN_FORCE, {"s": "svc-1", "first": 101})

    assert rules(wrong_list) == ["input.cursor.invalid"]
    assert rules(too_many) == ["input.first.range"]
