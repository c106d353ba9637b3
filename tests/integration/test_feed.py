"""The change feed answers the same whether its index has reached an event or the event is read
from the log itself: for every filter, every reader, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.bootstrap import Runtime
from projections.feed import Feed
from projections.people import People
from tests.e2e.helpers import (
    INTEGRATION,
    MANAGER,
    OTHER_PROVIDER,
    WORKER,
    Api,
    Staff,
    agreed_plan,
    register,
)

IN_TWO = Staff("u-tia", "Tia Moss", "manager", services=("svc-2",))
READERS = (WORKER, MANAGER, INTEGRATION, IN_TWO, OTHER_PROVIDER)
FEED = """query($types: [String!], $kinds: [RecordType!], $person: ID, $service: ID,
  $after: String) {
  events(first: 7, after: $after, types: $types, recordTypes: $kinds, personId: $person,
         serviceId: $service) {
    edges { node { position } } pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture
def api(runtime: Runtime) -> Iterator[Api]:
    """The app with no projector running: each test moves the read models itself."""
    runtime.settings.run_projector = False
    with TestClient(create_app(runtime)) as client:
        yield Api(client)


def follow(runtime: Runtime, *names: str) -> None:
    projector = runtime.projector
    projector.follow([lane for lane in projector.lanes if lane.model.name in names])


def answers(api: Api, person_id: str) -> dict[tuple[str, str], Any]:
    """Every reader's whole feed under each filter, page by page (pages of 7)."""
    filters: dict[str, dict[str, Any]] = {
        "none": {},
        "types": {"types": ["Person.Registered", "Person.Moved", "SupportPlan.OutcomeAgreed"]},
        "kinds": {"kinds": ["SUPPORT_PLAN", "ASSESSMENT"]},
        "person": {"person": person_id},
        "service": {"service": "svc-2"},
        "person in service": {"person": person_id, "service": "svc-1"},
    }
    found: dict[tuple[str, str], Any] = {}
    for reader in READERS:
        for name, given in filters.items():
            positions, after = [], None
            while True:
                body = api.post(FEED, {**given, "after": after}, reader.headers())
                if "errors" in body:  # the same refusal either way
                    found[reader.id, name] = [e["extensions"]["code"] for e in body["errors"]]
                    break
                page = body["data"]["events"]
                positions += [edge["node"]["position"] for edge in page["edges"]]
                after = page["pageInfo"]["endCursor"]
                if not page["pageInfo"]["hasNextPage"]:
                    found[reader.id, name] = positions
                    break
    return found


def test_the_index_and_the_log_give_every_reader_the_same_feed(api: Api, runtime: Runtime) -> None:
    ruth = agreed_plan(api).person_id
    omar = register(api, "Omar Said", "svc-2")
    api.mutate("writeStaffGuidance", {"personId": ruth, "guidance": "Wait nearby",
                                      "reason": "More confident"}, MANAGER)  # fmt: skip
    api.mutate(
        "movePerson", {"personId": omar, "serviceId": "svc-1", "reason": "Nearer home"}, MANAGER
    )
    register(api, "Bo's person", "svc-1", OTHER_PROVIDER)
    follow(runtime, People.name)  # whose records they are: the person index

    from_the_log = answers(api, ruth)
    follow(runtime, Feed.name)
    from_the_index = answers(api, ruth)
    api.mutate("setSupportHours", {"personId": ruth, "hoursPerWeek": 10,
                                   "reason": "Shops alone now"}, MANAGER)  # fmt: skip
    register(api, "Ada Bell", "svc-2")
    follow(runtime, People.name)
    from_both = answers(api, ruth)

    assert from_the_index == from_the_log
    assert from_both != from_the_index  # the new events are in it...
    for key, positions in from_the_index.items():  # ...after what was there before
        assert from_both[key][: len(positions)] == positions, key
    assert from_the_log[MANAGER.id, "person"] and from_both[IN_TWO.id, "service"]
    assert from_the_log[IN_TWO.id, "service"] == []  # Omar moved out of it
    assert from_the_log[OTHER_PROVIDER.id, "person"] == []
