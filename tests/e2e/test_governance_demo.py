"""The governance dashboard on the demo, as a manager or inspector would open it: every measure
answers for each service and each of its teams, a team's own dashboard agrees with its column in
the service's, and every figure leads to exactly the records behind it."""

from __future__ import annotations

from typing import Any

from infra.bootstrap import Runtime
from projections.governance_measures import MEASURES
from tests.e2e.helpers import Api
from tests.e2e.test_demo import loaded

SERVICES = ("riverside-supported-living", "northgate-community-support")
GOVERNANCE = """query($s: ID!, $t: ID) { governance(serviceId: $s, teamId: $t, months: 12) {
  figures { measure count outOf byTeam { teamId count } } } }"""
EVIDENCE = """query($s: ID!, $m: GovernanceMeasure!, $after: String) {
  governanceEvidence(serviceId: $s, measure: $m, months: 12, first: 100, after: $after) {
    items { recordType recordId teamId } pageInfo { hasNextPage endCursor } } }"""


def dashboard(api: Api, service: str, team: str | None = None) -> dict[str, dict[str, Any]]:
    found = api.query(GOVERNANCE, {"s": service, "t": team})["governance"]["figures"]
    return {figure["measure"]: figure for figure in found}


def behind(api: Api, service: str, measure: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = api.query(EVIDENCE, {"s": service, "m": measure, "after": after})
        page = page["governanceEvidence"]
        items += page["items"]
        if not page["pageInfo"]["hasNextPage"]:
            return items
        after = page["pageInfo"]["endCursor"]


def test_every_measure_answers_per_service_and_team_and_leads_to_its_records(
    api: Api, runtime: Runtime
) -> None:
    loaded(api, runtime)
    counted = set()
    for service in SERVICES:
        figures = dashboard(api, service)
        assert list(figures) == [measure.name for measure in MEASURES]
        teams = {team["teamId"] for figure in figures.values() for team in figure["byTeam"]}
        for team in sorted(t for t in teams if t is not None):
            own = dashboard(api, service, team)
            for measure, figure in figures.items():
                column = {t["teamId"]: t["count"] for t in figure["byTeam"]}
                assert own[measure]["count"] == column[team], (service, team, measure)
        for measure, figure in figures.items():
            assert figure["count"] == sum(team["count"] for team in figure["byTeam"])
            records = behind(api, service, measure)
            # a share lists every record it is out of, each saying which it is
            assert len(records) == (figure["outOf"] if measure.endswith("ON_TIME")
                                    else figure["count"]), (service, measure)  # fmt: skip
            assert {r["teamId"] for r in records} <= teams
            if figure["count"]:
                counted.add(measure)
    # The demo's people, staff and incident give most measures something to count.
    assert len(counted) >= 20, sorted(set(figures) - counted)
