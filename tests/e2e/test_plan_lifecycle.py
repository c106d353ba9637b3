"""A person's plan from registration to a revision after agreement, all through GraphQL:
the plan as it stands, how it evolved (who, when, why, what changed) and its audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from tests.e2e.helpers import (
    CHANGES,
    MANAGER,
    SECTIONS,
    SENIOR,
    STRENGTHS,
    WORKER,
    Api,
    Staff,
    days_ago,
    outcome_input,
    plain_changes,
    weeks_ahead,
)
from tests.support.payloads import PAYLOAD, published

HISTORY = f"""
query History($personId: ID!, $first: Int!, $after: String) {{
  planHistory(personId: $personId, first: $first, after: $after) {{
    edges {{ cursor node {{ version position eventType recordedAt effectiveAt
      actor {{ id name role }} reason summary {CHANGES} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""

PLAN = """
query Plan($personId: ID!) {
  supportPlan(personId: $personId) {
    id personId assessmentId status assessedStrengths staffGuidance supportHoursPerWeek
    nextReviewDate version
    outcomes { id title baseline target evidencedBy buildsOn status
      steps { id strength weeklyMicroStep evidenceRoute } }
  }
}"""


@dataclass(frozen=True)
class Lifecycle:
    person_id: str
    assessment_id: str
    outcome_id: str
    step_id: str
    review_date: str
    guidance_effective_at: datetime
    plan_positions: list[int]


@pytest.fixture
def lifecycle(api: Api) -> Lifecycle:
    """Registered, assessed, planned, agreed by a manager, then hours cut from 14 to 10."""
    person = {"name": "Ruth Evans", "dateOfBirth": "1970-05-01", "serviceId": "svc-1"}
    person_id = api.mutate("registerPerson", person)["recordId"]
    assessment_id = api.mutate("startAssessment", {"personId": person_id})["recordId"]
    for section, entries in SECTIONS.items():
        section_input = {"assessmentId": assessment_id, "section": section, "entries": entries}
        api.mutate("recordAssessmentSection", section_input)
    contribution = {"assessmentId": assessment_id, "mode": "DIRECT", "summary": "Ruth chose"}
    api.mutate("recordContribution", contribution)
    api.mutate("completeAssessment", {"assessmentId": assessment_id}, SENIOR)

    def change(name: str, by: Staff = WORKER, **fields: object) -> dict:
        return api.mutate(name, {"personId": person_id, **fields}, by)

    drafted_at = days_ago(7).isoformat()  # so that a change can be recorded late
    plan = [change("draftSupportPlan", assessmentId=assessment_id, effectiveAt=drafted_at)]
    plan.append(api.mutate("agreeOutcome", outcome_input(person_id)))
    outcome_id = plan[-1]["partId"]
    micro_step = "Walks to the shop for one ingredient"
    plan.append(change("addEnablementStep", outcomeId=outcome_id, strength=STRENGTHS[1],
                       weeklyMicroStep=micro_step, evidenceRoute="Notes"))  # fmt: skip
    step_id = plan[-1]["partId"]
    guidance_at = days_ago(3)
    guidance = "Prompt, do not take over"
    plan.append(
        change("writeStaffGuidance", guidance=guidance, effectiveAt=guidance_at.isoformat())
    )
    plan.append(change("setSupportHours", hoursPerWeek=14))
    review_date = weeks_ahead(6)
    plan.append(change("setNextReviewDate", reviewDate=review_date))
    plan.append(change("agreeSupportPlan", MANAGER))
    plan.append(change("setSupportHours", SENIOR, hoursPerWeek=10, reason="Ruth now shops alone",
                       expectedVersion=plan[-1]["version"]))  # fmt: skip

    assert [written["version"] for written in plan] == list(range(1, 9))
    assert {written["recordId"] for written in plan} == {plan[0]["recordId"]}
    positions = [written["position"] for written in plan]
    assert positions == sorted(positions)
    return Lifecycle(
        person_id, assessment_id, outcome_id, step_id, review_date, guidance_at, positions
    )


def history(api: Api, person_id: str) -> list[dict]:
    page = api.query(HISTORY, {"personId": person_id, "first": 50})["planHistory"]
    assert page["pageInfo"]["hasNextPage"] is False
    return [{**edge["node"], "changes": plain_changes(edge["node"]["changes"])}
            for edge in page["edges"]]  # fmt: skip


def test_the_agreed_plan_shows_its_outcome_step_hours_and_review_date(
    api: Api, lifecycle: Lifecycle
) -> None:
    plan = api.query(PLAN, {"personId": lifecycle.person_id})["supportPlan"]

    assert plan["status"] == "AGREED" and plan["version"] == 8
    assert plan["personId"] == lifecycle.person_id
    assert plan["assessmentId"] == lifecycle.assessment_id
    assert plan["assessedStrengths"] == STRENGTHS
    assert plan["staffGuidance"] == "Prompt, do not take over"
    assert plan["supportHoursPerWeek"] == 10
    assert plan["nextReviewDate"] == lifecycle.review_date
    (outcome,) = plan["outcomes"]
    assert outcome == {
        "id": lifecycle.outcome_id,
        "title": "Cooks a meal for friends",
        "baseline": "Staff cook every evening meal",
        "target": "Cooks a two-course meal for friends once a month",
        "evidencedBy": "Daily notes and photos Ruth chooses to share",
        "buildsOn": STRENGTHS[:2],
        "status": "ACTIVE",
        "steps": [{"id": lifecycle.step_id, "strength": STRENGTHS[1],
                   "weeklyMicroStep": "Walks to the shop for one ingredient",
                   "evidenceRoute": "Notes"}],
    }  # fmt: skip


def test_the_plan_history_lists_every_version_in_order_with_who_and_why(
    api: Api, lifecycle: Lifecycle
) -> None:
    versions = history(api, lifecycle.person_id)

    assert [v["version"] for v in versions] == list(range(1, 9))
    assert [v["position"] for v in versions] == lifecycle.plan_positions
    assert [v["eventType"].split(".")[-1] for v in versions] == [
        "Drafted", "OutcomeAgreed", "EnablementStepAdded", "StaffGuidanceWritten",
        "SupportHoursSet", "NextReviewDateSet", "Agreed", "SupportHoursReduced",
    ]  # fmt: skip
    staff = [(v["actor"]["name"], v["actor"]["role"]) for v in versions]
    assert staff == [(WORKER.name, WORKER.shown_role)] * 6 + [
        (MANAGER.name, MANAGER.shown_role), (SENIOR.name, SENIOR.shown_role)
    ]  # fmt: skip
    assert [v["reason"] for v in versions] == [None] * 7 + ["Ruth now shops alone"]
    assert versions[1]["summary"] == "Outcome agreed: Cooks a meal for friends"
    assert versions[6]["summary"] == "Plan agreed"
    assert {"field": "status", "before": "draft", "after": "agreed"} in versions[6]["changes"]
    assert all(v["changes"] for v in versions)


def test_a_backdated_change_keeps_its_effective_time_apart_from_when_it_was_recorded(
    api: Api, lifecycle: Lifecycle
) -> None:
    versions = history(api, lifecycle.person_id)
    guidance = versions[3]

    assert guidance["summary"] == "Staff guidance written"
    effective_at = datetime.fromisoformat(guidance["effectiveAt"])
    recorded_at = datetime.fromisoformat(guidance["recordedAt"])
    assert effective_at == lifecycle.guidance_effective_at
    assert (recorded_at - effective_at).days == 3
    others = versions[1:3] + versions[4:]  # the draft, too, was recorded late
    assert all(
        abs(datetime.fromisoformat(v["effectiveAt"]) - datetime.fromisoformat(v["recordedAt"]))
        .total_seconds() < 1
        for v in others
    )  # fmt: skip


def test_cutting_support_hours_shows_the_hours_before_and_after(
    api: Api, lifecycle: Lifecycle
) -> None:
    cut = history(api, lifecycle.person_id)[-1]

    assert cut["summary"] == "Support hours reduced to 10 a week (were 14)"
    assert cut["changes"] == [{"field": "supportHoursPerWeek", "before": 14, "after": 10}]


def test_plan_history_pages_follow_on_from_each_others_cursors(
    api: Api, lifecycle: Lifecycle
) -> None:
    seen, after = [], None
    for expected_next in (True, True, False):
        variables = {"personId": lifecycle.person_id, "first": 3, "after": after}
        page = api.query(HISTORY, variables)["planHistory"]
        seen += [edge["node"]["version"] for edge in page["edges"]]
        assert page["pageInfo"]["hasNextPage"] is expected_next
        after = page["pageInfo"]["endCursor"]

    assert seen == list(range(1, 9))


AUDIT = f"""
query Audit($streamId: ID!, $after: String) {{
  auditTrail(streamId: $streamId, first: 5, after: $after) {{
    edges {{ node {{ position streamId streamType version eventType effectiveAt reason
      actor {{ name role }} tenantId {PAYLOAD} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""


def test_the_audit_trail_of_the_plan_holds_every_event_with_its_envelope(
    api: Api, lifecycle: Lifecycle
) -> None:
    plan_id = api.query(PLAN, {"personId": lifecycle.person_id})["supportPlan"]["id"]
    first = api.query(AUDIT, {"streamId": plan_id})["auditTrail"]
    after = first["pageInfo"]["endCursor"]
    rest = api.query(AUDIT, {"streamId": plan_id, "after": after})["auditTrail"]
    events = [edge["node"] for edge in first["edges"] + rest["edges"]]

    assert first["pageInfo"]["hasNextPage"] is True and rest["pageInfo"]["hasNextPage"] is False
    assert [e["position"] for e in events] == lifecycle.plan_positions
    assert [e["version"] for e in events] == list(range(1, 9))
    assert {(e["streamId"], e["streamType"], e["tenantId"]) for e in events} == {
        (plan_id, "SupportPlan", WORKER.tenant)
    }
    last = events[-1]
    assert last["actor"] == {"name": SENIOR.name, "role": SENIOR.shown_role}
    assert last["reason"] == "Ruth now shops alone"
    assert published(last["payload"]) == {"before": 14, "after": 10}
    effective = datetime.fromisoformat(events[3]["effectiveAt"])
    assert effective == lifecycle.guidance_effective_at
