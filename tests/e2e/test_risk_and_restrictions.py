"""Positive risk-taking and time-limited restrictions through GraphQL: what was in force on a
past date and how overdue it was then, the trend per month, guidance that must reflect every
restriction and safeguard, a review-by date only a review moves, and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from infra.bootstrap import Runtime
from infra.rebuild import rebuild
from tests.e2e.helpers import (
    MANAGER,
    WORKER,
    Api,
    backdated_plan,
    days_ago_iso,
    nodes,
    rules,
)
from tests.support.tables import snapshot

IN_FORCE = """query($s: ID!, $on: DateTime) { restrictionsInForce(serviceId: $s, asOf: $on) {
  edges { node { restrictionId what reviewBy daysOverdue afterIncident } } } }"""
OF_PERSON = """query($p: ID!, $status: RestrictionStatus) {
  restrictions(personId: $p, status: $status) { edges { node { restrictionId status reviewBy
    daysOverdue lastOutcome } } } }"""
DUE = """query($s: ID!, $before: Date!) { restrictionsDueForReview(serviceId: $s,
  before: $before) { edges { node { restrictionId reviewBy daysOverdue } } } }"""
TREND = """query($s: ID!, $from: Date!, $to: Date!) {
  restrictivePracticeTrend(serviceId: $s, from: $from, to: $to) {
    month imposed reviewedOnTime reviewedLate overdue reduced lifted } }"""
ALIGNMENT = """query($p: ID!) { alignmentFindings(personId: $p) { guidance
  findings { kind recordId missing } } }"""
DECISIONS = """query($p: ID!) { riskDecisions(personId: $p) { edges { node { riskDecisionId
  status parts { safeguards } agreedBy restrictionIds } } } }"""
NAMES = {"risk_decisions", "restrictions"}
ALL_PARTS = {"risks": ["Getting lost"], "couldGoRight": "Buys her own paper",
             "couldGoWrong": "Misses the turning", "safeguards": ["Texts staff on arrival"],
             "escalation": "Call her sister, then the police after an hour",
             "personViews": "I want to go on my own"}  # fmt: skip


def day(days_ago: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat()


def moment(days_ago: int) -> str:
    """The same time of day as now, so many days ago."""
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def impose(api: Api, person_id: str, days_ago: float, review_in_days: int,
           **more: Any) -> str:  # fmt: skip
    at = datetime.now(UTC) - timedelta(days=days_ago)
    given = {"personId": person_id, "what": "Kitchen knives locked away",
             "why": "Cut herself twice in a month", "basis": "BEST_INTERESTS",
             "proportionality": "Only sharp knives; she cooks with staff present",
             "lessRestrictiveOptions": ["Supervised use only"], "agreedBy": "Mo Khan",
             "reviewBy": (at.date() + timedelta(days=review_in_days)).isoformat(),
             "effectiveAt": at.isoformat(), **more}  # fmt: skip
    return str(api.mutate("imposeRestriction", given, MANAGER)["recordId"])


def review(api: Api, restriction_id: str, at: str, outcome: str, **more: Any) -> None:
    given = {"restrictionId": restriction_id, "outcome": outcome, "effectiveAt": at,
             "reason": f"Reviewed: {outcome.lower()}", **more}  # fmt: skip
    api.mutate("reviewRestriction", given, MANAGER)


def register_at(api: Api, at: str) -> str:
    person = {"name": "Ruth Evans", "serviceId": "svc-1", "effectiveAt": at}
    return str(api.mutate("registerPerson", person)["recordId"])


def test_restrictions_in_force_on_a_past_date_show_the_review_by_then_and_days_overdue(
    api: Api,
) -> None:
    person = register_at(api, days_ago_iso(120))
    fall = {"personId": person, "whatHappened": "Cut her hand", "location": "Kitchen",
            "immediateActions": "First aid", "harmLevel": "LOW", "staffInvolved": [],
            "effectiveAt": days_ago_iso(101)}  # fmt: skip
    incident = api.mutate("reportIncident", fall)["recordId"]
    overdue = impose(api, person, 100, 30, incidentId=incident)
    in_date = impose(api, person, 100, 60)
    lifted = impose(api, person, 100, 30, what="No visitors after 9pm")
    review(api, lifted, days_ago_iso(75), "LIFTED")
    review(api, in_date, days_ago_iso(45), "CONTINUED", justification="Still cutting herself",
           nextReviewBy=day(-10))  # fmt: skip
    review(api, overdue, days_ago_iso(30), "REDUCED", whatChanged="Knives in a drawer",
           nextReviewBy=day(-20))  # fmt: skip

    then = nodes(api.query(IN_FORCE, {"s": "svc-1", "on": moment(50)})["restrictionsInForce"])
    earlier = nodes(api.query(IN_FORCE, {"s": "svc-1", "on": moment(80)})["restrictionsInForce"])
    now = nodes(api.query(IN_FORCE, {"s": "svc-1", "on": None})["restrictionsInForce"])

    assert [(r["restrictionId"], r["reviewBy"], r["daysOverdue"], r["afterIncident"])
            for r in then] == [(overdue, day(70), 20, True),
                               (in_date, day(40), 0, False)]  # fmt: skip
    assert {r["restrictionId"] for r in earlier} == {overdue, in_date, lifted}
    assert [(r["restrictionId"], r["reviewBy"], r["daysOverdue"]) for r in now] == [
        (in_date, day(-10), 0), (overdue, day(-20), 0)]  # fmt: skip


def test_the_trend_counts_each_month_s_impositions_reviews_and_missed_review_dates(
    api: Api,
) -> None:
    person = register_at(api, "2025-01-01T09:00:00Z")
    first = impose(api, person, 0, 31, effectiveAt="2025-01-10T09:00:00Z", reviewBy="2025-02-10")
    second = impose(api, person, 0, 26, effectiveAt="2025-01-20T09:00:00Z", reviewBy="2025-02-15")
    review(api, first, "2025-02-05T09:00:00Z", "CONTINUED", justification="Still needed",
           nextReviewBy="2025-03-05")  # fmt: skip
    review(api, second, "2025-02-20T09:00:00Z", "REDUCED", whatChanged="Evenings only",
           nextReviewBy="2025-04-01")  # fmt: skip
    review(api, first, "2025-03-10T09:00:00Z", "LIFTED")

    months = api.query(TREND, {"s": "svc-1", "from": "2025-01-01", "to": "2025-05-31"})

    assert months["restrictivePracticeTrend"] == [
        {"month": "2025-01", "imposed": 2, "reviewedOnTime": 0, "reviewedLate": 0,
         "overdue": 0, "reduced": 0, "lifted": 0},
        {"month": "2025-02", "imposed": 0, "reviewedOnTime": 1, "reviewedLate": 1,
         "overdue": 1, "reduced": 1, "lifted": 0},
        {"month": "2025-03", "imposed": 0, "reviewedOnTime": 0, "reviewedLate": 1,
         "overdue": 1, "reduced": 0, "lifted": 1},
        {"month": "2025-04", "imposed": 0, "reviewedOnTime": 0, "reviewedLate": 0,
         "overdue": 1, "reduced": 0, "lifted": 0},
        {"month": "2025-05", "imposed": 0, "reviewedOnTime": 0, "reviewedLate": 0,
         "overdue": 0, "reduced": 0, "lifted": 0},
    ]  # fmt: skip


def findings(api: Api, person_id: str) -> list[tuple[str, str, str]]:
    found = api.query(ALIGNMENT, {"p": person_id})["alignmentFindings"]["findings"]
    return [(f["kind"], f["recordId"], f["missing"]) for f in found]


def agreed_decision(api: Api, person_id: str) -> str:
    proposed = {"personId": person_id, "activity": "Travelling to the shop alone",
                "reviewBy": day(-30), **ALL_PARTS}  # fmt: skip
    decision = str(api.mutate("proposeRiskDecision", proposed)["recordId"])
    api.mutate("agreeRiskDecision", {"riskDecisionId": decision}, MANAGER)
    return decision


def guide(api: Api, person_id: str, guidance: str) -> None:
    given = {"personId": person_id, "guidance": guidance, "reason": "Guidance revised"}
    api.mutate("writeStaffGuidance", given)


def test_an_alignment_finding_appears_when_guidance_omits_a_restriction_and_clears_when_revised(
    api: Api,
) -> None:
    plan = backdated_plan(api, 30)
    restriction = impose(api, plan.person_id, 10, 30)
    decision = agreed_decision(api, plan.person_id)

    before = findings(api, plan.person_id)
    guide(api, plan.person_id, "Prompt first. Kitchen knives locked away: cook with her.")
    partly = findings(api, plan.person_id)
    guide(api, plan.person_id, "Prompt first. KITCHEN KNIVES LOCKED AWAY. She texts staff on "
          "arrival at the shop.")  # fmt: skip
    after = findings(api, plan.person_id)
    review(api, restriction, days_ago_iso(0), "LIFTED")
    guide(api, plan.person_id, "Texts staff on arrival")

    assert before == [("RESTRICTION", restriction, "Kitchen knives locked away"),
                      ("RISK_DECISION", decision, "Texts staff on arrival")]  # fmt: skip
    assert partly == [("RISK_DECISION", decision, "Texts staff on arrival")]
    assert after == []
    assert findings(api, plan.person_id) == []  # the lifted restriction is no longer required


def test_a_restriction_is_never_extended_without_a_review(api: Api) -> None:
    person = register_at(api, days_ago_iso(60))
    restriction = impose(api, person, 40, 30)
    refused = api.refuse("reviewRestriction", {"restrictionId": restriction,
                         "outcome": "CONTINUED", "nextReviewBy": day(-30)}, MANAGER)  # fmt: skip

    (kept,) = nodes(api.query(OF_PERSON, {"p": person, "status": "IN_FORCE"})["restrictions"])
    due = nodes(api.query(DUE, {"s": "svc-1", "before": day(0)})["restrictionsDueForReview"])
    (now,) = nodes(api.query(IN_FORCE, {"s": "svc-1", "on": moment(0)})["restrictionsInForce"])

    assert rules(refused) == ["restriction.review.justification_required"]
    assert (kept["reviewBy"], kept["daysOverdue"], kept["lastOutcome"]) == (day(10), 10, None)
    assert [(r["restrictionId"], r["daysOverdue"]) for r in due] == [(restriction, 10)]
    assert (now["reviewBy"], now["daysOverdue"]) == (day(10), 10)


def test_lifting_a_restriction_needs_a_manager_and_a_reason(api: Api) -> None:
    person = register_at(api, days_ago_iso(20))
    restriction = impose(api, person, 10, 30)

    refused = api.refuse("reviewRestriction", {"restrictionId": restriction,
                                               "outcome": "LIFTED"}, WORKER)  # fmt: skip
    unexplained = api.refuse("reviewRestriction", {"restrictionId": restriction,
                                                   "outcome": "LIFTED"}, MANAGER)  # fmt: skip
    review(api, restriction, days_ago_iso(0), "LIFTED")

    assert refused["extensions"] == {"code": "FORBIDDEN", "rule": "access.role"}
    assert rules(unexplained) == ["restriction.review.reason_required"]
    (lifted,) = nodes(api.query(OF_PERSON, {"p": person, "status": "LIFTED"})["restrictions"])
    assert (lifted["restrictionId"], lifted["daysOverdue"]) == (restriction, 0)
    assert nodes(api.query(OF_PERSON, {"p": person, "status": "IN_FORCE"})["restrictions"]) == []


def test_agreeing_a_risk_decision_is_refused_with_every_missing_part(api: Api) -> None:
    person = register_at(api, days_ago_iso(20))
    proposed = {"personId": person, "activity": "Travelling to the shop alone"}
    decision = api.mutate("proposeRiskDecision", proposed)["recordId"]

    refused = api.refuse("agreeRiskDecision", {"riskDecisionId": decision}, MANAGER)

    assert sorted(rules(refused)) == sorted(
        f"risk.required.{part}" for part in ("risks", "could_go_right", "could_go_wrong",
                                             "safeguards", "escalation", "review_by",
                                             "person_views"))  # fmt: skip


def test_agreeing_is_refused_while_a_restriction_it_relies_on_is_overdue(api: Api) -> None:
    person = register_at(api, days_ago_iso(60))
    proposed = {"personId": person, "activity": "Cooking with a sharp knife",
                "reviewBy": day(-30), "effectiveAt": days_ago_iso(50), **ALL_PARTS}  # fmt: skip
    decision = api.mutate("proposeRiskDecision", proposed)["recordId"]
    overdue = impose(api, person, 40, 30, riskDecisionId=decision)  # relied on: stored on both
    impose(api, person, 40, 30, what="No visitors after 9pm")  # overdue too, but not relied on

    refused = api.refuse("agreeRiskDecision", {"riskDecisionId": decision}, MANAGER)
    review(api, overdue, days_ago_iso(0), "CONTINUED", justification="Still needed",
           nextReviewBy=day(-30))  # fmt: skip
    api.mutate("agreeRiskDecision", {"riskDecisionId": decision}, MANAGER)

    assert rules(refused) == ["risk.restriction.not_confirmed"]
    (agreed,) = nodes(api.query(DECISIONS, {"p": person})["riskDecisions"])
    assert (agreed["status"], agreed["agreedBy"], agreed["restrictionIds"]) == (
        "AGREED", MANAGER.name, [overdue])  # fmt: skip
    assert agreed["parts"]["safeguards"] == ["Texts staff on arrival"]


def test_the_risk_and_restriction_read_models_rebuild_to_what_the_events_built(
    api: Api, runtime: Runtime
) -> None:
    plan = backdated_plan(api, 60)
    restriction = impose(api, plan.person_id, 50, 30)
    review(api, restriction, days_ago_iso(10), "REDUCED", whatChanged="Evenings only",
           nextReviewBy=day(-30))  # fmt: skip
    decision = agreed_decision(api, plan.person_id)
    api.mutate("reviewRiskDecision", {"riskDecisionId": decision, "outcome":
               "TIGHTEN_SAFEGUARDS", "safeguards": ["Texts staff on arrival", "Carries a "
               "card"], "nextReviewBy": day(-20), "reason": "Got lost once"}, MANAGER)  # fmt: skip
    for query in (ALIGNMENT, DECISIONS, OF_PERSON):  # each waits for its read model
        api.query(query, {"p": plan.person_id})
    ours = [m for m in runtime.projector.models if m.name in NAMES]
    tables = {t.name for m in ours for t in m.tables}
    built = {name: rows for name, rows in snapshot(runtime).items() if name in tables}

    assert rebuild(runtime.projector, ours) == {}
    assert {name: rows for name, rows in snapshot(runtime).items() if name in tables} == built
    assert findings(api, plan.person_id)[-1] == ("RISK_DECISION", decision, "Carries a card")
