"""Workforce records through GraphQL: a member of staff joins a team, is inducted, supervised
and signed off; the service's workforce and each team's competence coverage read at any moment;
and an incident's reconstruction says whether the staff involved were signed off then."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.e2e.helpers import (
    MANAGER,
    SENIOR,
    WORKER,
    Api,
    Plan,
    Staff,
    backdated_plan,
    days_ago_iso,
    nodes,
    rules,
)

STAFF_MEMBER = """query($s: ID!, $on: DateTime) { staffMember(staffId: $s, asOf: $on) {
  name teamId working inductionMissing inductionCompletedOn supervisionDue
  supervisionDaysOverdue competencies { technique current expired refresherDue signedOffBy } } }"""
COVERAGE = """query($s: ID!, $t: ID, $on: DateTime) { competencyCoverage(serviceId: $s, teamId: $t,
  asOf: $on) { teamId staff techniques { technique current expiringWithin30Days expired
  never } } }"""
STATUS = """query($s: ID!) { workforceStatus(serviceId: $s) { edges { node { staffId teamId } } }
}"""
RECONSTRUCTION = """query($i: ID!) { incidentReconstruction(incidentId: $i) {
  knownThen { staffCompetence { staffId name competencies { technique current expired
    refresherDue } } } } }"""


def day(days_from_now: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days_from_now)).isoformat()


def join(api: Api, staff_id: str, team: str, days_ago: int, role: str = "SUPPORT_WORKER") -> None:
    api.mutate("joinStaff", {"staffId": staff_id, "name": staff_id.title(), "role": role,
                             "serviceId": "svc-1", "teamId": team,
                             "effectiveAt": days_ago_iso(days_ago)}, MANAGER)  # fmt: skip


def sign_off(api: Api, staff_id: str, technique: str, days_ago: int, due_in: int) -> str:
    """Signs the technique off; returns the refresher date it wrote (read back, not recomputed,
    so a test running across midnight compares like with like)."""
    due = day(due_in)
    api.mutate("signOffCompetency", {"staffId": staff_id, "technique": technique,
                                     "evidence": "Observed at tea", "refresherDue": due,
                                     "effectiveAt": days_ago_iso(days_ago)}, MANAGER)  # fmt: skip
    return due


def test_a_new_starter_is_inducted_supervised_and_signed_off(api: Api) -> None:
    join(api, "staff-ann", "day", 60)
    follow_up = day(-10)
    refusal = api.refuse("completeInduction", {"staffId": "staff-ann", "confirmation": ""},
                         MANAGER)  # fmt: skip
    assert len(rules(refusal)) == 6  # five parts and the confirmation
    for part in ("COMPETENCY_CHECK", "OBSERVED_PRACTICE_DISCUSSION", "LEARNING_OUTCOME",
                 "SUPERVISION_FOLLOW_UP", "PROBATION_REVIEW"):  # fmt: skip
        api.mutate("recordInduction", {"staffId": "staff-ann", "part": part, "detail": "Done",
                                       "followUpOn": follow_up,
                                       "effectiveAt": days_ago_iso(50)}, SENIOR)  # fmt: skip
    api.mutate("completeInduction", {"staffId": "staff-ann", "confirmation": "Support, not do",
                                     "effectiveAt": days_ago_iso(40)}, MANAGER)  # fmt: skip
    sign_off(api, "staff-ann", "PROMPT_LADDER", 30, 20)
    api.reader = MANAGER

    ann = api.query(STAFF_MEMBER, {"s": "staff-ann"})["staffMember"]

    assert (ann["working"], ann["inductionMissing"], ann["teamId"]) == (True, [], "day")
    overdue = (datetime.now(UTC).date() - date.fromisoformat(follow_up)).days
    assert ann["supervisionDue"] == follow_up and ann["supervisionDaysOverdue"] == overdue
    [competency] = ann["competencies"]
    assert (competency["current"], competency["signedOffBy"]) == (True, "Mo Khan")
    later = (datetime.now(UTC) + timedelta(days=21)).isoformat()
    [lapsed] = api.query(STAFF_MEMBER, {"s": "staff-ann", "on": later})["staffMember"][
        "competencies"]  # fmt: skip
    assert (lapsed["current"], lapsed["expired"]) == (False, True)
    before = api.query(STAFF_MEMBER, {"s": "staff-ann", "on": days_ago_iso(45)})["staffMember"]
    assert before["competencies"] == [] and before["inductionCompletedOn"] is None


def test_competence_coverage_is_counted_per_team(api: Api) -> None:
    join(api, "staff-ann", "day", 60)
    join(api, "staff-bo", "day", 60)
    join(api, "staff-cy", "night", 60)
    sign_off(api, "staff-ann", "PROMPT_LADDER", 30, 20)  # current, expiring within 30 days
    sign_off(api, "staff-bo", "PROMPT_LADDER", 30, 200)  # current
    sign_off(api, "staff-cy", "PROMPT_LADDER", 50, -5)  # lapsed five days ago
    api.reader = MANAGER

    teams = {t["teamId"]: t for t in api.query(COVERAGE, {"s": "svc-1"})["competencyCoverage"]}

    def ladder(team: dict[str, Any]) -> dict[str, Any]:
        return next(t for t in team["techniques"] if t["technique"] == "PROMPT_LADDER")

    assert (teams["day"]["staff"], teams["night"]["staff"]) == (2, 1)
    assert ladder(teams["day"]) == {
        "technique": "PROMPT_LADDER",
        "current": 2,
        "expiringWithin30Days": 1,
        "expired": 0,
        "never": 0,
    }
    assert ladder(teams["night"]) == {
        "technique": "PROMPT_LADDER",
        "current": 0,
        "expiringWithin30Days": 0,
        "expired": 1,
        "never": 0,
    }
    graded = next(t for t in teams["day"]["techniques"] if t["technique"] == "GRADED_EXPOSURE")
    assert graded["never"] == 2
    [night] = api.query(COVERAGE, {"s": "svc-1", "t": "night"})["competencyCoverage"]
    assert night["teamId"] == "night"
    earlier = api.query(COVERAGE, {"s": "svc-1", "on": days_ago_iso(40)})["competencyCoverage"]
    assert {t["teamId"]: ladder(t)["current"] for t in earlier if t["teamId"]} == {
        "day": 0, "night": 1}  # fmt: skip


def test_the_reconstruction_says_whether_the_staff_involved_were_signed_off_then(
    api: Api,
) -> None:
    join(api, "staff-ann", "day", 400)
    lapsed_on = sign_off(api, "staff-ann", "PROMPT_LADDER", 380, -20)  # lapsed 20 days ago
    person = backdated_plan(api, 60).person_id
    report = {"personId": person, "whatHappened": "Slipped", "location": "Kitchen",
              "immediateActions": "First aid", "harmLevel": "LOW",
              "staffInvolved": ["staff-ann", "agency-1"]}  # fmt: skip
    incident = api.mutate("reportIncident", report)["recordId"]
    api.reader = MANAGER

    found = api.query(RECONSTRUCTION, {"i": incident})["incidentReconstruction"]

    ann, agency = found["knownThen"]["staffCompetence"]
    assert ann["name"] == "Staff-Ann"
    assert ann["competencies"] == [{"technique": "PROMPT_LADDER", "current": False,
                                    "expired": True, "refresherDue": lapsed_on}]  # fmt: skip
    assert agency == {"staffId": "agency-1", "name": None, "competencies": []}


def test_workforce_records_are_read_only_within_reach(api: Api) -> None:
    join(api, "staff-ann", "day", 60)
    api.reader = Staff("u-eli", "Eli Ward", "manager", services=("svc-9",))

    assert api.query(STAFF_MEMBER, {"s": "staff-ann"})["staffMember"] is None
    assert api.failure(STATUS, {"s": "svc-1"})["extensions"]["code"] == "FORBIDDEN"
    api.reader = WORKER  # support workers do not read workforce records
    assert api.failure(STATUS, {"s": "svc-1"})["extensions"]["code"] == "FORBIDDEN"


def test_joining_twice_or_an_unknown_member_of_staff_is_refused(api: Api) -> None:
    join(api, "staff-ann", "day", 60)
    again = {"staffId": "staff-ann", "name": "Ann", "role": "SUPPORT_WORKER", "serviceId": "svc-1"}
    assert rules(api.refuse("joinStaff", again, MANAGER)) == ["staff.already_joined"]
    move = {"staffId": "staff-nobody", "serviceId": "svc-1"}
    assert api.refuse("moveStaff", move, MANAGER)["extensions"]["code"] == "NOT_FOUND"


FINDINGS = """query($s: ID!, $known: DateTime) { workforceFindings(serviceId: $s,
  asKnownAt: $known) { edges { node { kind staffId name technique recordCount records {
  recordType recordId version eventType personId outcomeId } } } } }"""
WHY = "Agreed with Ruth"
FEED_WRITER = Staff("c-feed", "Case system feed", "integration_client", scope="records:write")


def note_on(api: Api, plan: Plan, by: Staff = WORKER) -> str:
    note = {"personId": plan.person_id, "outcomeId": plan.outcome_id, "note": "Chopped onions"}
    return api.mutate("recordEvidenceNote", note, by)["recordId"]


def test_practice_written_without_a_current_sign_off_is_a_finding(api: Api) -> None:
    plan = backdated_plan(api, 60)
    api.mutate("reviseOutcome", {"personId": plan.person_id, "outcomeId": plan.outcome_id,
                                 "technique": "PROMPT_LADDER", "reason": WHY}, SENIOR)  # fmt: skip
    note_id = note_on(api, plan)  # by Ann, never signed off in the prompt ladder
    before_sign_off = datetime.now(UTC).isoformat()
    sign_off(api, "u-ann", "PROMPT_LADDER", 5, 300)
    api.reader = MANAGER

    known = {"s": "svc-1", "known": before_sign_off}
    then = {f["staffId"]: f for f in nodes(api.query(FINDINGS, known)["workforceFindings"])}
    now = nodes(api.query(FINDINGS, {"s": "svc-1"})["workforceFindings"])

    assert set(then) == {"u-ann", "u-sam"}  # Sam's revision relies on it too
    ann = then["u-ann"]
    assert (ann["kind"], ann["technique"], ann["recordCount"]) == (
        "UNSIGNED_PRACTICE", "PROMPT_LADDER", 1)  # fmt: skip
    assert ann["records"] == [{"recordType": "EVIDENCE_NOTE", "recordId": note_id,
                                "version": 1, "eventType": "EvidenceNote.Recorded",
                                "personId": plan.person_id,
                                "outcomeId": plan.outcome_id}]  # fmt: skip
    assert [f["staffId"] for f in now] == ["u-sam"]  # Ann signed off, as known now, from
    # five days before her note


def test_a_stage_relies_on_its_own_technique_while_under_way(api: Api) -> None:
    plan = backdated_plan(api, 60)
    sign_off(api, "u-ann", "PROMPT_LADDER", 50, 300)  # but not in graded exposure
    stage = {"personId": plan.person_id, "outcomeId": plan.outcome_id, "title": "Shop with staff",
             "staffWill": "Wait outside", "exitCriteria": "Three trips", "reviewDate": day(30),
             "escalationTriggers": ["Panics"], "technique": "GRADED_EXPOSURE",
             "reason": WHY}  # fmt: skip
    stage_id = api.mutate("addPathwayStage", stage, SENIOR)["partId"]
    note_on(api, plan)  # the outcome names no technique and no stage is under way: no finding
    api.mutate("startStage", {"personId": plan.person_id, "outcomeId": plan.outcome_id,
                              "stageId": stage_id, "reason": WHY}, SENIOR)  # fmt: skip
    note_on(api, plan)
    api.reader = MANAGER

    found = nodes(api.query(FINDINGS, {"s": "svc-1"})["workforceFindings"])

    assert [(f["staffId"], f["technique"], f["recordCount"]) for f in found] == [
        ("u-ann", "GRADED_EXPOSURE", 1), ("u-sam", "GRADED_EXPOSURE", 1)]  # fmt: skip


def test_follow_ups_not_honoured_and_writers_not_on_the_staff_are_findings(api: Api) -> None:
    join(api, "staff-bo", "day", 60)
    api.mutate("recordInduction", {"staffId": "staff-bo", "part": "SUPERVISION_FOLLOW_UP",
                                   "detail": "Agreed", "followUpOn": day(-10),
                                   "effectiveAt": days_ago_iso(50)}, SENIOR)  # fmt: skip
    plan = backdated_plan(api, 60)
    note_id = note_on(api, plan, FEED_WRITER)
    api.reader = MANAGER

    found = {f["kind"]: f for f in nodes(api.query(FINDINGS, {"s": "svc-1"})["workforceFindings"])}

    assert found["FOLLOW_UP_NOT_HONOURED"]["staffId"] == "staff-bo"
    assert found["FOLLOW_UP_NOT_HONOURED"]["records"][0]["recordType"] == "STAFF_MEMBER"
    assert found["WRITER_NOT_STAFF"]["staffId"] == "c-feed"
    assert [r["recordId"] for r in found["WRITER_NOT_STAFF"]["records"]] == [note_id]


def test_a_writer_not_on_the_staff_is_refused(api: Api) -> None:
    stranger = Staff("u-zed", "Zed Cole", "support_worker", services=("svc-1",))

    error = api.refuse("registerPerson", {"name": "Ruth", "serviceId": "svc-1"}, stranger)

    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["rule"] == "access.not_staff" and "joinStaff" in error["message"]


def test_a_provider_adds_its_own_technique(api: Api) -> None:
    plan = backdated_plan(api, 60)
    revise = {"personId": plan.person_id, "outcomeId": plan.outcome_id,
              "technique": "TRAVEL_TRAINING", "reason": WHY}  # fmt: skip
    assert rules(api.refuse("reviseOutcome", revise, SENIOR)) == ["plan.technique.unknown"]
    assert rules(api.refuse("addTechnique", {"technique": "bad name!", "description": "x"},
                            MANAGER)) == ["policy.technique.invalid"]  # fmt: skip
    added = {"technique": "TRAVEL_TRAINING", "description": "Learning a route stop by stop"}
    api.mutate("addTechnique", added, MANAGER)
    api.mutate("reviseOutcome", revise, SENIOR)
    sign_off(api, "u-ann", "TRAVEL_TRAINING", 1, 300)
    api.reader = MANAGER

    known = api.query("{ techniques { technique standard } }")["techniques"]
    ann = api.query(STAFF_MEMBER, {"s": "u-ann"})["staffMember"]

    assert {"technique": "TRAVEL_TRAINING", "standard": False} in known
    assert len([t for t in known if t["standard"]]) == 5
    assert [c["technique"] for c in ann["competencies"]] == ["TRAVEL_TRAINING"]
