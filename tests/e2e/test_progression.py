"""The evidence line through GraphQL: a step-down pathway taken stage by stage, a setback, the
plan as it stood between stages, reviews whose decisions change the plan (linked by causation),
the repeat-review finding, and the timeline of an outcome with its evidence summarised per
week, late entries landing in the week they took effect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.helpers import (
    MANAGER,
    Api,
    Plan,
    backdated_plan,
    days_ago_iso,
    nodes,
    outcome_input,
    rules,
)

STAGES = ["Travels with staff beside her", "Travels with staff a few seats away",
          "Travels alone, texting on arrival"]  # fmt: skip
PLAN_AT = """query($p: ID!, $at: DateTime) { supportPlan(personId: $p, asOf: $at) {
  outcomes { currentStage { title attempts } pathway { title status } } } }"""
HISTORY = """query($p: ID!) { planHistory(personId: $p, first: 100) { edges { node {
  version eventType causationId summary } } } }"""
TIMELINE = """query($p: ID!, $o: ID!, $known: DateTime) {
  progressionTimeline(personId: $p, outcomeId: $o, asKnownAt: $known) {
    entries { kind summary stageId }
    weeks { weekStart notes medianPromptLevel meanConfidence stepsCompleted stepsOf
      refusals } } }"""
REPEATS = """query($s: ID!) { repeatReviews(serviceId: $s) { edges { node {
  reviewId repeatFinding } } } }"""
SCHEDULE = """query($s: ID!, $before: Date!, $on: DateTime) {
  reviewSchedule(serviceId: $s, dueBefore: $before, asOf: $on) {
    edges { node { kind title dueOn daysOverdue } } } }"""


def pathway(api: Api, plan: Plan, days_ago: float) -> list[str]:
    """Three stages added `days_ago`; their ids."""
    ids = []
    for number, title in enumerate(STAGES, start=1):
        stage = {"personId": plan.person_id, "outcomeId": plan.outcome_id, "title": title,
                 "staffWill": "Sit beside her and name each stop", "exitCriteria": "Two weeks "
                 "without prompts", "reviewDate": (datetime.now(UTC) + timedelta(weeks=number))
                 .date().isoformat(), "escalationTriggers": ["Confusion", "Missed stop"],
                 "effectiveAt": days_ago_iso(days_ago), "reason": "Pathway agreed"}  # fmt: skip
        ids.append(api.mutate("addPathwayStage", stage)["partId"])
    return ids


def stage_change(api: Api, plan: Plan, name: str, stage_id: str, days_ago: float,
                 **more: Any) -> dict[str, Any]:  # fmt: skip
    given = {"personId": plan.person_id, "outcomeId": plan.outcome_id, "stageId": stage_id,
             "effectiveAt": days_ago_iso(days_ago), "reason": "As observed", **more}  # fmt: skip
    return api.mutate(name, given)


def versions(api: Api, plan: Plan) -> list[dict[str, Any]]:
    return [edge["node"] for edge in api.query(HISTORY, {"p": plan.person_id})["planHistory"]
            ["edges"]]  # fmt: skip


def test_the_plan_as_it_stood_between_stages_shows_the_stage_then_current(api: Api) -> None:
    plan = backdated_plan(api, 60)
    first, second, _ = pathway(api, plan, 59)
    stage_change(api, plan, "startStage", first, 58)
    stage_change(api, plan, "completeStage", first, 40, exitEvidence="Two weeks unprompted")
    stage_change(api, plan, "startStage", second, 39)

    then = api.query(PLAN_AT, {"p": plan.person_id, "at": days_ago_iso(45)})
    now = api.query(PLAN_AT, {"p": plan.person_id, "at": None})

    (outcome_then,) = then["supportPlan"]["outcomes"]
    assert outcome_then["currentStage"] == {"title": STAGES[0], "attempts": 1}
    assert [s["status"] for s in outcome_then["pathway"]] == ["CURRENT", "PLANNED", "PLANNED"]
    (outcome_now,) = now["supportPlan"]["outcomes"]
    assert outcome_now["currentStage"]["title"] == STAGES[1]


def test_a_setback_that_steps_back_is_the_cause_of_the_step_back(api: Api) -> None:
    plan = backdated_plan(api, 30)
    first, second, _ = pathway(api, plan, 29)
    stage_change(api, plan, "startStage", first, 28)
    stage_change(api, plan, "completeStage", first, 20, exitEvidence="Unprompted")
    stage_change(api, plan, "startStage", second, 19)

    setback = stage_change(api, plan, "recordSetback", second, 10, whatHappened="Missed her "
                           "stop and was frightened", whatWasDone="Met her at the next stop; "
                           "debrief at home", response="STEP_BACK")  # fmt: skip

    history = versions(api, plan)
    setback_version, stepped = history[-2], history[-1]
    assert setback_version["eventType"] == "SupportPlan.SetbackRecorded"
    assert stepped["eventType"] == "SupportPlan.StageSteppedBack"
    assert stepped["causationId"] == f"{setback['recordId']}/{setback_version['version']}"
    current = api.query(PLAN_AT, {"p": plan.person_id, "at": None})["supportPlan"]["outcomes"]
    assert current[0]["currentStage"] == {"title": STAGES[0], "attempts": 2}


def hold(api: Api, plan: Plan, review_id: str, days_ago: float, **more: Any) -> dict[str, Any]:
    given = {"personId": plan.person_id, "reviewId": review_id, "personAttended": True,
             "personContributed": True, "personViews": "I want to go on my own now",
             "whatWorked": "Texting on arrival", "effectiveAt": days_ago_iso(days_ago),
             "reason": "Six-week review", **more}  # fmt: skip
    return api.mutate("holdReview", given, MANAGER)


def schedule(api: Api, plan: Plan, days_ago: float, due_in_days: float) -> str:
    due = (datetime.now(UTC) - timedelta(days=days_ago - due_in_days)).date().isoformat()
    given = {"personId": plan.person_id, "dueOn": due, "effectiveAt": days_ago_iso(days_ago),
             "reason": "Review booked"}  # fmt: skip
    return str(api.mutate("scheduleReview", given)["partId"])


def test_a_review_s_decisions_change_the_plan_as_changes_caused_by_the_review(api: Api) -> None:
    plan = backdated_plan(api, 40)
    review_id = schedule(api, plan, 30, due_in_days=20)

    next_review = (datetime.now(UTC) + timedelta(weeks=6)).date().isoformat()
    held = hold(api, plan, review_id, 5, decideSupportHours=10, decideNextReviewOn=next_review)

    history = versions(api, plan)
    review = next(v for v in history if v["eventType"] == "SupportPlan.ReviewHeld")
    caused = [v["eventType"] for v in history
              if v["causationId"] == f"{held['recordId']}/{review['version']}"]  # fmt: skip
    assert caused == ["SupportPlan.SupportHoursReduced", "SupportPlan.ReviewScheduled"]
    reviews = nodes(api.query("query($p: ID!) { reviews(personId: $p) { edges { node { "
                              "reviewId heldAt decisions { supportHoursPerWeek } "
                              "involvement { views } } } } }",
                              {"p": plan.person_id})["reviews"])  # fmt: skip
    assert reviews[0]["reviewId"] == review_id
    assert reviews[0]["decisions"]["supportHoursPerWeek"] == 10
    assert reviews[0]["involvement"]["views"] == "I want to go on my own now"
    assert reviews[1]["heldAt"] is None  # the next one, scheduled by the review


def test_a_review_without_the_person_s_involvement_is_refused_and_nothing_stored(
    api: Api,
) -> None:
    plan = backdated_plan(api, 40)
    review_id = schedule(api, plan, 30, due_in_days=20)
    before = versions(api, plan)

    error = api.refuse("holdReview", {"personId": plan.person_id, "reviewId": review_id,
                                      "whatWorked": "All of it", "decideSupportHours": 8,
                                      "reason": "Review"}, MANAGER)  # fmt: skip

    assert rules(error) == ["review.involvement.attended_required",
                            "review.involvement.contributed_required",
                            "review.involvement.views_required"]  # fmt: skip
    assert versions(api, plan) == before


def test_a_review_that_decides_nothing_and_repeats_the_last_is_a_finding(api: Api) -> None:
    plan = backdated_plan(api, 100)
    first = schedule(api, plan, 90, due_in_days=10)
    hold(api, plan, first, 80, decideNextReviewOn=days_ago_iso(-30)[:10], barriers="Buses")
    listed = nodes(api.query("query($p: ID!) { reviews(personId: $p) { edges { node { "
                             "reviewId heldAt } } } }",
                             {"p": plan.person_id})["reviews"])  # fmt: skip
    (second,) = [review["reviewId"] for review in listed if not review["heldAt"]]

    hold(api, plan, second, 1, barriers="Buses")  # the same analysis, and no decision

    findings = nodes(api.query(REPEATS, {"s": "svc-1"})["repeatReviews"])
    assert [f["reviewId"] for f in findings] == [second]
    assert "repeats the previous review" in findings[0]["repeatFinding"]


def test_days_overdue_are_counted_to_the_date_asked_about(api: Api) -> None:
    plan = backdated_plan(api, 40)
    schedule(api, plan, 30, due_in_days=20)  # due ten days ago
    due = (datetime.now(UTC) - timedelta(days=10)).date()

    def overdue(on: datetime | None) -> list[tuple[str, int]]:
        variables = {"s": "svc-1", "before": datetime.now(UTC).date().isoformat(),
                     "on": on.replace(tzinfo=UTC).isoformat() if on else None}  # fmt: skip
        return [(r["kind"], r["daysOverdue"]) for r in nodes(api.query(SCHEDULE, variables)
                ["reviewSchedule"])]  # fmt: skip

    assert overdue(None) == [("PLAN", 10)]
    assert overdue(datetime.combine(due, datetime.min.time()) - timedelta(days=3)) == [("PLAN", 0)]


def note(api: Api, plan: Plan, days_ago: float, **more: Any) -> None:
    given = {"personId": plan.person_id, "outcomeId": plan.outcome_id,
             "note": "Chopped the onions with one verbal cue",
             "effectiveAt": days_ago_iso(days_ago), **more}  # fmt: skip
    api.mutate("recordEvidenceNote", given)


def test_the_timeline_summarises_evidence_per_week_late_entries_in_their_week(api: Api) -> None:
    plan = backdated_plan(api, 35)
    now = datetime.now(UTC)
    monday = now.date() - timedelta(days=now.weekday())
    week_start = datetime.combine(monday - timedelta(weeks=3), datetime.min.time(), UTC)
    three_weeks_ago = (now - week_start).total_seconds() / 86400 - 0.5  # noon, that Monday
    note(api, plan, three_weeks_ago, promptLevel="verbal cue", confidence=4, stepsCompleted=1,
         stepsOf=3)  # fmt: skip
    note(api, plan, three_weeks_ago - 1, promptLevel="gesture", confidence=6, stepsCompleted=2,
         stepsOf=3, refused=True)  # fmt: skip
    before_late_entry = datetime.now(UTC).isoformat()
    note(api, plan, three_weeks_ago - 2, promptLevel="gesture", confidence=8)  # late, same week

    now = api.query(TIMELINE, {"p": plan.person_id, "o": plan.outcome_id, "known": None})
    then = api.query(TIMELINE, {"p": plan.person_id, "o": plan.outcome_id,
                                "known": before_late_entry})  # fmt: skip

    (week,) = now["progressionTimeline"]["weeks"]
    assert week == {"weekStart": (monday - timedelta(weeks=3)).isoformat(), "notes": 3,
                    "medianPromptLevel": "gesture", "meanConfidence": 6.0,
                    "stepsCompleted": 3, "stepsOf": 6, "refusals": 1}  # fmt: skip
    (week_then,) = then["progressionTimeline"]["weeks"]
    assert (week_then["notes"], week_then["meanConfidence"]) == (2, 5.0)
    kinds = [entry["kind"] for entry in now["progressionTimeline"]["entries"]]
    assert kinds == ["BASELINE", "HOURS"]


def test_a_note_on_a_rung_the_service_s_ladder_does_not_have_is_refused(api: Api) -> None:
    plan = backdated_plan(api, 10)
    ladder = {"serviceId": "svc-1", "rungs": ["on her own", "a reminder", "side by side"]}
    api.mutate("setPromptLadder", ladder, MANAGER)

    given = {"personId": plan.person_id, "outcomeId": plan.outcome_id,
             "note": "Walked to the shop", "promptLevel": "gesture"}  # fmt: skip
    error = api.refuse("recordEvidenceNote", given)

    assert rules(error) == ["evidence.prompt_level.unknown"]
    note(api, plan, 0, promptLevel="a reminder")


def test_the_stages_of_a_retired_outcome_are_never_due(api: Api) -> None:
    plan = backdated_plan(api, 20)
    pathway(api, plan, 19)
    successor = {**outcome_input(plan.person_id), "effectiveAt": days_ago_iso(2),
                 "reason": "She chose a new goal"}  # fmt: skip
    api.mutate("agreeOutcome", successor)
    next_year = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
    due = {"s": "svc-1", "before": next_year, "on": None}
    assert [r["kind"] for r in nodes(api.query(SCHEDULE, due)["reviewSchedule"])] == ["STAGE"] * 3

    api.mutate("retireOutcome", {"personId": plan.person_id, "outcomeId": plan.outcome_id,
                                 "reason": "Goal met another way"})  # fmt: skip

    assert nodes(api.query(SCHEDULE, due)["reviewSchedule"]) == []


def test_a_timeline_from_a_time_without_a_timezone_is_refused_with_the_rule_for_it(
    api: Api,
) -> None:
    plan = backdated_plan(api, 10)
    span = """query($p: ID!, $o: ID!, $from: DateTime) {
      progressionTimeline(personId: $p, outcomeId: $o, from: $from) { entries { kind } } }"""

    error = api.failure(span, {"p": plan.person_id, "o": plan.outcome_id,
                               "from": "2026-05-14T09:00:00"})  # fmt: skip

    assert error["extensions"]["violations"][0]["rule"] == "input.time.timezone_required"
    assert error["extensions"]["violations"][0]["field"] == "from"
