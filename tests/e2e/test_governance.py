"""The governance dashboard through GraphQL: given what was written, each measure's figure for
the service and per team, at a past moment as recorded then, with late entries and corrections
counted in the month they took effect; and the records behind each figure, one query further."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.helpers import (
    INSPECTOR,
    MANAGER,
    SENIOR,
    Api,
    Plan,
    backdated_plan,
    days_ago_iso,
    rules,
)
from tests.e2e.test_access_log import log_of

SERVICE = "svc-1"
GOVERNANCE = """query($s: ID!, $t: ID, $on: DateTime, $known: DateTime, $months: Int) {
  governance(serviceId: $s, teamId: $t, asOf: $on, asKnownAt: $known, months: $months) {
    months settings { staticPlanMonths doingFor }
    figures { measure area count outOf byTeam { teamId count outOf }
      byMonth { month count outOf } } } }"""
EVIDENCE = """query($s: ID!, $m: GovernanceMeasure!, $t: ID, $month: String, $on: DateTime,
  $known: DateTime, $first: Int, $after: String, $months: Int) {
  governanceEvidence(serviceId: $s, measure: $m, teamId: $t, month: $month, asOf: $on,
    asKnownAt: $known, first: $first, after: $after, months: $months) {
    items { recordType recordId personId teamId item on detail }
    pageInfo { hasNextPage endCursor } } }"""


def figures(api: Api, **given: Any) -> dict[str, dict[str, Any]]:
    """Every figure by measure, with `teams` as {team: count}."""
    found = api.query(GOVERNANCE, {"s": SERVICE, **given})["governance"]["figures"]
    return {f["measure"]: {**f, "teams": {t["teamId"]: t["count"] for t in f["byTeam"]
                                          if t["teamId"] is not None}}
            for f in found}  # fmt: skip


# (staff who belong to no team, as the tests' writers do, count under teamId null)


def evidence(api: Api, measure: str, **given: Any) -> list[dict[str, Any]]:
    page = api.query(EVIDENCE, {"s": SERVICE, "m": measure, **given})["governanceEvidence"]
    return list(page["items"])


def day(days_from_now: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days_from_now)).isoformat()


def month(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m")


def now() -> str:
    return datetime.now(UTC).isoformat()


def person_in(api: Api, team: str, days_ago: int) -> Plan:
    """An agreed plan, all of it written `days_ago`, for a person in that team of svc-1."""
    plan = backdated_plan(api, days_ago)
    api.mutate("movePerson", {"personId": plan.person_id, "serviceId": SERVICE, "teamId": team,
                              "reason": "Joined the team", "effectiveAt": days_ago_iso(days_ago)},
               MANAGER)  # fmt: skip
    return plan


def test_a_plan_left_alone_is_static_and_its_gaps_count_in_the_care_plan_audit(api: Api) -> None:
    plan = person_in(api, "t-east", 200)
    api.reader = MANAGER

    today, earlier = figures(api), figures(api, on=days_ago_iso(120))

    assert (today["STATIC_PLANS"]["count"], today["STATIC_PLANS"]["teams"]) == (1, {"t-east": 1})
    assert earlier["STATIC_PLANS"]["count"] == 0  # four months after it last changed
    assert today["OUTCOMES_WITHOUT_STEP_DOWN_PATHWAY"]["count"] == 1
    assert today["OUTCOMES_WITHOUT_REVIEW_DATE"]["count"] == 1
    assert today["OUTCOMES_WITHOUT_MICRO_STEPS"]["count"] == 0
    assert today["STRENGTHS_NOT_BUILT_ON"]["teams"] == {"t-east": 1}
    assert figures(api, t="t-west")["STATIC_PLANS"]["count"] == 0
    [static] = evidence(api, "STATIC_PLANS")
    assert (static["recordType"], static["personId"], static["teamId"], static["on"]) == (
        "SUPPORT_PLAN",
        plan.person_id,
        "t-east",
        day(-200),
    )
    [strength] = evidence(api, "STRENGTHS_NOT_BUILT_ON")
    assert strength["detail"] == "Remembers birthdays"
    logged = [(entry["field"], entry["recordId"], entry["actor"]["id"])
              for entry in log_of(api, plan.person_id)]  # fmt: skip
    assert ("governanceEvidence", static["recordId"], MANAGER.id) in logged

    before_setting = now()
    settings = {"staticPlanMonths": 12, "doingFor": ["done for her"],
                "supportingWith": ["with one prompt"]}  # fmt: skip
    api.mutate("setGovernanceSettings", settings, MANAGER)

    assert figures(api)["STATIC_PLANS"]["count"] == 0  # not a year yet
    assert figures(api, known=before_setting)["STATIC_PLANS"]["count"] == 1


def test_restrictive_practice_in_force_overdue_and_lifted_at_any_moment(api: Api) -> None:
    plan = person_in(api, "t-west", 200)
    imposed = {"personId": plan.person_id, "what": "Kitchen knives locked away",
               "why": "Cut herself twice", "basis": "BEST_INTERESTS",
               "proportionality": "Only sharp knives", "agreedBy": "Mo Khan",
               "lessRestrictiveOptions": ["Supervised use"], "reviewBy": day(-60),
               "effectiveAt": days_ago_iso(150)}  # fmt: skip
    restriction = api.mutate("imposeRestriction", imposed, MANAGER)["recordId"]
    api.reader = MANAGER

    today, then = figures(api, months=12), figures(api, on=days_ago_iso(100))

    assert today["RESTRICTIONS_IN_FORCE"]["teams"] == {"t-west": 1}
    assert today["RESTRICTIONS_OVERDUE_FOR_REVIEW"]["count"] == 1
    assert then["RESTRICTIONS_OVERDUE_FOR_REVIEW"]["count"] == 0  # not due yet then
    assert {m["month"]: m["count"] for m in today["RESTRICTIONS_IMPOSED"]["byMonth"]}[
        month(150)] == 1  # fmt: skip
    [unaligned] = evidence(api, "GUIDANCE_NOT_ALIGNED")
    assert (unaligned["recordType"], unaligned["recordId"], unaligned["detail"]) == (
        "RESTRICTION",
        restriction,
        "Kitchen knives locked away",
    )

    before_lifting = now()
    api.mutate("reviewRestriction", {"restrictionId": restriction, "outcome": "LIFTED",
                                     "reason": "No incidents for months"}, MANAGER)  # fmt: skip
    lifted = figures(api)

    assert (lifted["RESTRICTIONS_IN_FORCE"]["count"], lifted["RESTRICTIONS_LIFTED"]["count"]) == (
        0,
        1,
    )
    assert lifted["GUIDANCE_NOT_ALIGNED"]["count"] == 0
    assert figures(api, known=before_lifting)["RESTRICTIONS_IN_FORCE"]["count"] == 1


def test_language_counts_a_late_note_in_the_month_it_took_effect_until_it_is_corrected(
    api: Api,
) -> None:
    east, west = person_in(api, "t-east", 100), person_in(api, "t-west", 100)
    before_note = now()
    note = {"personId": east.person_id, "outcomeId": east.outcome_id,
            "note": "Staff completed the washing up", "effectiveAt": days_ago_iso(40),
            "reason": "Written up late"}  # fmt: skip
    note_id = api.mutate("recordEvidenceNote", note)["recordId"]
    api.mutate("recordEvidenceNote", {"personId": west.person_id, "outcomeId": west.outcome_id,
                                      "note": "Washed up with one prompt"})  # fmt: skip
    api.reader = MANAGER

    today = figures(api)
    doing = today["DOING_FOR"]

    assert (doing["count"], doing["outOf"], doing["teams"]) == (1, 4, {"t-east": 1, "t-west": 0})
    assert {m["month"]: m["count"] for m in doing["byMonth"]}[month(40)] == 1
    assert today["SUPPORTING_WITH"]["teams"] == {"t-east": 0, "t-west": 1}
    assert figures(api, known=before_note)["DOING_FOR"]["count"] == 0
    [flagged] = evidence(api, "DOING_FOR", month=month(40))
    assert (flagged["recordId"], flagged["detail"]) == (note_id, "Staff completed the washing up")

    before_correction = now()
    api.mutate("markEnteredInError", {"eventId": f"{note_id}/1", "reason": "Wrong person"},
               MANAGER)  # fmt: skip

    assert figures(api)["DOING_FOR"]["count"] == 0
    assert figures(api, known=before_correction)["DOING_FOR"]["count"] == 1
    api.mutate("setGovernanceSettings", {"staticPlanMonths": 6, "doingFor": ["done for her"],
                                         "supportingWith": ["prompt first"]}, MANAGER)  # fmt: skip
    assert figures(api)["SUPPORTING_WITH"]["count"] == 2  # each plan's guidance, "Prompt first"


def test_a_text_matching_both_lists_reads_as_doing_for_and_no_phrase_may_be_in_both(
    api: Api,
) -> None:
    plan = person_in(api, "t-east", 10)
    api.mutate("recordEvidenceNote", {"personId": plan.person_id, "outcomeId": plan.outcome_id,
                                      "note": "Staff completed it, with one prompt"})  # fmt: skip
    api.reader = MANAGER

    language = figures(api)

    assert (language["DOING_FOR"]["count"], language["SUPPORTING_WITH"]["count"]) == (1, 0)
    refusal = api.refuse("setGovernanceSettings", {"staticPlanMonths": 6,
                                                   "doingFor": ["With One Prompt"],
                                                   "supportingWith": ["with one prompt", " "]},
                         MANAGER)  # fmt: skip
    assert rules(refusal) == ["policy.language.phrase_in_both"]


def test_what_holds_follows_a_person_who_moves_and_what_happened_stays_with_the_team(
    api: Api,
) -> None:
    plan = person_in(api, "t-east", 100)
    api.mutate("recordEvidenceNote", {"personId": plan.person_id, "outcomeId": plan.outcome_id,
                                      "note": "Dressed with one prompt",
                                      "effectiveAt": days_ago_iso(50),
                                      "reason": "Written up late"})  # fmt: skip
    api.mutate("movePerson", {"personId": plan.person_id, "serviceId": SERVICE,
                              "teamId": "t-west", "reason": "Moved flat",
                              "effectiveAt": days_ago_iso(20)}, MANAGER)  # fmt: skip
    api.reader = MANAGER

    today, before = figures(api), figures(api, on=days_ago_iso(30))

    # t-east is listed (at 0), as the team the note written there counts in
    assert today["STRENGTHS_NOT_BUILT_ON"]["teams"] == {"t-east": 0, "t-west": 1}
    assert before["STRENGTHS_NOT_BUILT_ON"]["teams"] == {"t-east": 1}
    assert today["SUPPORTING_WITH"]["teams"] == {"t-east": 1, "t-west": 0}


def test_reviews_progression_workforce_and_incidents_each_count_what_was_written(
    api: Api,
) -> None:
    plan = person_in(api, "t-east", 100)
    api.reader = MANAGER
    person = {"personId": plan.person_id}
    review = api.mutate("scheduleReview", {**person, "dueOn": day(-30), "reason": "Booked",
                                           "effectiveAt": days_ago_iso(90)})["partId"]  # fmt: skip
    api.mutate("holdReview", {**person, "reviewId": review, "personAttended": True,
                              "personContributed": True, "personViews": "Fine",
                              "effectiveAt": days_ago_iso(20), "reason": "Typed up late"},
               MANAGER)  # fmt: skip
    stage = api.mutate("addPathwayStage", {
        **person, "outcomeId": plan.outcome_id, "title": "Beside her", "staffWill": "Sit near",
        "exitCriteria": "Two weeks", "reviewDate": day(-5), "escalationTriggers": ["Upset"],
        "effectiveAt": days_ago_iso(60), "reason": "Typed up late"})["partId"]  # fmt: skip
    under_way = {**person, "outcomeId": plan.outcome_id, "stageId": stage}
    api.mutate("startStage", {**under_way, "effectiveAt": days_ago_iso(50),
                              "reason": "Typed up late"})  # fmt: skip
    overdue_stage = figures(api)
    api.mutate("completeStage", {**under_way, "exitEvidence": "Two weeks unprompted",
                                 "reason": "Done"})  # fmt: skip
    api.mutate("setSupportHours", {**person, "hoursPerWeek": 10, "reason": "Needs less"})
    risk = {**person, "activity": "Walks to the shop", "risks": ["Busy road"],
            "couldGoRight": "Independence", "couldGoWrong": "Lost", "safeguards": ["Phone"],
            "escalation": "Call", "reviewBy": day(10), "personViews": "I want to go"}  # fmt: skip
    decision = api.mutate("proposeRiskDecision", risk)["recordId"]
    api.mutate("agreeRiskDecision", {"riskDecisionId": decision}, MANAGER)
    api.mutate("joinStaff", {"staffId": "staff-zed", "name": "Zed", "role": "SUPPORT_WORKER",
                             "serviceId": SERVICE, "teamId": "t-east",
                             "effectiveAt": days_ago_iso(30)}, MANAGER)  # fmt: skip
    incident = api.mutate("reportIncident", {
        **person, "whatHappened": "Slipped", "location": "Kitchen", "immediateActions": "Aid",
        "harmLevel": "LOW", "staffInvolved": [], "effectiveAt": days_ago_iso(25),
        "reason": "Typed up late"}, SENIOR)["recordId"]  # fmt: skip
    api.mutate("agreePracticeChange", {"incidentId": incident, "what": "Mats", "lead": "Mo",
                                       "reviewBy": day(-5), "effectiveAt": days_ago_iso(20),
                                       "reason": "Typed up late"}, MANAGER)  # fmt: skip

    today = figures(api)
    east = {measure: figure["teams"].get("t-east") for measure, figure in today.items()}

    assert overdue_stage["STAGE_REVIEWS_OVERDUE"]["teams"] == {"t-east": 1}
    assert east["STAGE_REVIEWS_OVERDUE"] == 0 and east["STAGES_COMPLETED"] == 1
    assert (today["PLAN_REVIEWS_HELD_ON_TIME"]["count"],
            today["PLAN_REVIEWS_HELD_ON_TIME"]["outOf"]) == (0, 1)  # fmt: skip
    assert east["REPEAT_REVIEWS"] == 1  # decided nothing, no analysis
    assert east["PLAN_REVIEWS_DUE"] == 0 and east["PLAN_REVIEWS_OVERDUE"] == 0
    assert east["SUPPORT_HOURS_RESHAPED"] == 1 and east["RISK_REVIEWS_DUE"] == 1
    assert east["INDUCTION_INCOMPLETE"] == 1 and east["STAFF_WITHOUT_CURRENT_SIGN_OFF"] == 1
    assert east["INCIDENTS_OPEN"] == 1 and east["PRACTICE_CHANGES_PAST_REVIEW"] == 1
    assert evidence(api, "SUPPORT_HOURS_RESHAPED", month=month(0)) != []
    assert evidence(api, "SUPPORT_HOURS_RESHAPED", month=month(40)) == []  # it was this month
    [change] = evidence(api, "PRACTICE_CHANGES_PAST_REVIEW")
    assert (change["recordType"], change["recordId"], change["on"]) == (
        "INCIDENT",
        incident,
        day(-5),
    )
    [zed] = evidence(api, "INDUCTION_INCOMPLETE", t="t-east")
    assert (zed["recordType"], zed["personId"], zed["detail"]) == ("STAFF_MEMBER", None, "Zed")


def test_every_figure_is_paged_to_the_records_behind_it(api: Api) -> None:
    for team in ("t-east", "t-west", "t-east"):
        person_in(api, team, 200)
    api.reader = MANAGER

    first = api.query(EVIDENCE, {"s": SERVICE, "m": "STATIC_PLANS", "first": 2})
    page = first["governanceEvidence"]
    rest = evidence(api, "STATIC_PLANS", first=2, after=page["pageInfo"]["endCursor"])

    assert page["pageInfo"]["hasNextPage"] is True and len(page["items"]) == 2
    assert len(rest) == 1
    assert len({item["recordId"] for item in page["items"] + rest}) == 3


def test_a_window_or_month_out_of_range_is_refused_with_its_rule(api: Api) -> None:
    headers = MANAGER.headers()

    too_long = api.failure(GOVERNANCE, {"s": SERVICE, "months": 25}, headers)
    elsewhere = api.failure(EVIDENCE, {"s": SERVICE, "m": "SETBACKS", "month": "1999-01"},
                            headers)  # fmt: skip
    other_service = api.failure(GOVERNANCE, {"s": "svc-9"}, INSPECTOR.headers())

    assert rules(too_long) == ["input.months.range"]
    assert rules(elsewhere) == ["governance.month.outside_window"]
    assert other_service["extensions"]["code"] == "FORBIDDEN"
