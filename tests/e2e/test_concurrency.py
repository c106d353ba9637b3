"""Optimistic concurrency: writers who decided on the same version cannot both win."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.e2e.helpers import MANAGER, SENIOR, Api, agreed_plan, nothing_written, read_feed

PLAN = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek staffGuidance } }"


def test_of_two_writers_on_the_same_version_the_first_wins_and_the_second_gets_a_conflict(
    api: Api,
) -> None:
    plan = agreed_plan(api)
    seen = api.query(PLAN, {"p": plan.person_id})["supportPlan"]["version"]
    first = {"personId": plan.person_id, "hoursPerWeek": 12, "expectedVersion": seen,
             "reason": "Day centre on Fridays"}  # fmt: skip
    second = first | {"hoursPerWeek": 16, "reason": "Needs more help with meals"}

    won = api.mutate("setSupportHours", first, SENIOR)
    with nothing_written(api):
        lost = api.refuse("setSupportHours", second, MANAGER)

    assert won["version"] == seen + 1
    assert lost["extensions"] == {
        "code": "CONFLICT", "expectedVersion": seen, "actualVersion": seen + 1
    }  # fmt: skip
    assert api.query(PLAN, {"p": plan.person_id})["supportPlan"]["supportHoursPerWeek"] == 12


def test_after_a_conflict_the_loser_can_reload_and_decide_again(api: Api) -> None:
    plan = agreed_plan(api)
    stale = {"personId": plan.person_id, "hoursPerWeek": 12, "expectedVersion": plan.version,
             "reason": "Day centre on Fridays"}  # fmt: skip
    api.mutate("setSupportHours", stale, SENIOR)
    conflict = api.refuse("setSupportHours", stale | {"hoursPerWeek": 11}, MANAGER)

    actual = conflict["extensions"]["actualVersion"]
    retried = api.mutate("setSupportHours", stale | {"hoursPerWeek": 11, "expectedVersion": actual})

    assert retried["version"] == actual + 1
    assert api.query(PLAN, {"p": plan.person_id})["supportPlan"]["supportHoursPerWeek"] == 11


def test_of_writers_racing_on_the_same_version_exactly_one_wins(api: Api) -> None:
    plan = agreed_plan(api)
    _, cursor = read_feed(api)

    def rewrite(n: int) -> dict:
        guidance = {"personId": plan.person_id, "guidance": f"Guidance number {n}",
                    "expectedVersion": plan.version, "reason": f"Writer {n}"}  # fmt: skip
        return api.post(
            "mutation($i: WriteStaffGuidanceInput!) { writeStaffGuidance(input: $i) "
            "{ version position } }",
            {"i": guidance},
            SENIOR.headers(),
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(rewrite, range(4)))

    wins = [body["data"]["writeStaffGuidance"] for body in bodies if not body.get("errors")]
    conflicts = [body["errors"][0]["extensions"] for body in bodies if body.get("errors")]
    assert len(wins) == 1 and wins[0]["version"] == plan.version + 1
    assert (
        conflicts
        == [
            {"code": "CONFLICT", "expectedVersion": plan.version, "actualVersion": plan.version + 1}
        ]
        * 3
    )
    api.last_written = wins[0]["position"]
    new_events, _ = read_feed(api, after=cursor)
    assert [event["position"] for event in new_events] == [wins[0]["position"]]
    (winner,) = [n for n, body in enumerate(bodies) if not body.get("errors")]
    plan_now = api.query(PLAN, {"p": plan.person_id})["supportPlan"]
    assert plan_now["staffGuidance"] == f"Guidance number {winner}"
