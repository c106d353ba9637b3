"""Records are corrected, never edited: a fact marked entered in error leaves what the record
says from the correction on, while a read as known before still shows it, and histories and
audit trails show both, with who and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.helpers import (
    CHANGES,
    MANAGER,
    SENIOR,
    WORKER,
    Api,
    backdated_plan,
    days_ago_iso,
    nodes,
    plain_changes,
    rules,
)

TIMELINE = """query($p: ID!, $o: ID!, $known: DateTime) {
  progressionTimeline(personId: $p, outcomeId: $o, asKnownAt: $known) {
    entries { kind summary } weeks { weekStart notes } } }"""
HISTORY = f"""query($p: ID!, $known: DateTime) {{
  planHistory(personId: $p, first: 50, asKnownAt: $known) {{ edges {{ node {{
    version eventType summary reason actor {{ name }} {CHANGES}
    enteredInError {{ at byVersion }} }} }} }} }}"""
PLAN = """query($p: ID!, $known: DateTime) { supportPlan(personId: $p, asKnownAt: $known) {
  supportHoursPerWeek version } }"""
TRAIL = """query($s: ID!) { auditTrail(streamId: $s, first: 10) { edges { node {
  eventType reason actor { name } } } } }"""


def mark(api: Api, event_id: str, by: Any = WORKER, reason: str | None = "Wrong person") -> Any:
    given = {"eventId": event_id, **({"reason": reason} if reason else {})}
    return api.mutate("markEnteredInError", given, by)


def now() -> str:
    return datetime.now(UTC).isoformat()


def test_an_evidence_note_entered_in_error_leaves_the_timeline_but_not_the_past(api: Api) -> None:
    plan = backdated_plan(api, 20)
    note = {"personId": plan.person_id, "outcomeId": plan.outcome_id, "note": "Chopped onions",
            "promptLevel": "gesture", "effectiveAt": days_ago_iso(2)}  # fmt: skip
    note_id = api.mutate("recordEvidenceNote", note)["recordId"]
    before_correction = now()

    mark(api, f"{note_id}/1")  # by its author, the same day

    asked = {"p": plan.person_id, "o": plan.outcome_id}
    current = api.query(TIMELINE, {**asked, "known": None})["progressionTimeline"]
    then = api.query(TIMELINE, {**asked, "known": before_correction})["progressionTimeline"]
    assert current["weeks"] == []
    assert [week["notes"] for week in then["weeks"]] == [1]
    trail = [e["node"] for e in api.query(TRAIL, {"s": note_id})["auditTrail"]["edges"]]
    assert [(e["eventType"], e["reason"], e["actor"]["name"]) for e in trail] == [
        ("EvidenceNote.Recorded", None, WORKER.name),
        ("EvidenceNote.EnteredInError", "Wrong person", WORKER.name),
    ]


def test_a_plan_change_entered_in_error_is_undone_from_then_on_and_flagged_in_its_history(
    api: Api,
) -> None:
    plan = backdated_plan(api, 20)
    cut = {"personId": plan.person_id, "hoursPerWeek": 10, "reason": "Fewer visits",
           "effectiveAt": days_ago_iso(5)}  # fmt: skip
    version = api.mutate("setSupportHours", cut, SENIOR)["version"]
    plan_id = api.query(PLAN, {"p": plan.person_id, "known": None})["supportPlan"]
    before_correction = now()

    mark(api, f"{_plan_id(api, plan.person_id)}/{version}", MANAGER, "Entered on the wrong plan")

    assert api.query(PLAN, {"p": plan.person_id, "known": None})["supportPlan"][
        "supportHoursPerWeek"] == 14  # fmt: skip
    assert api.query(PLAN, {"p": plan.person_id, "known": before_correction})["supportPlan"][
        "supportHoursPerWeek"] == 10  # fmt: skip
    history = _history(api, plan.person_id, None)
    voided, correction = history[version - 1], history[-1]
    assert voided["enteredInError"]["byVersion"] == correction["version"] == version + 1
    assert correction["eventType"] == "SupportPlan.EnteredInError"
    assert (correction["reason"], correction["actor"]["name"]) == (
        "Entered on the wrong plan", MANAGER.name)  # fmt: skip
    assert plain_changes(correction["changes"]) == [
        {"field": "supportHoursPerWeek", "before": 10, "after": 14}]  # fmt: skip
    assert _history(api, plan.person_id, before_correction)[version - 1]["enteredInError"] is None
    hours = api.query(TIMELINE, {"p": plan.person_id, "o": plan.outcome_id, "known": None})
    assert [e["summary"] for e in hours["progressionTimeline"]["entries"]
            if e["kind"] == "HOURS"] == ["Support hours: 14 a week"]  # fmt: skip
    assert plan_id["version"] == version


def test_only_the_author_within_a_day_or_a_manager_may_correct_and_always_with_a_reason(
    api: Api,
) -> None:
    plan = backdated_plan(api, 20)
    note = {"personId": plan.person_id, "outcomeId": plan.outcome_id, "note": "Chopped onions"}
    note_id = api.mutate("recordEvidenceNote", note)["recordId"]

    someone_else = api.refuse("markEnteredInError", {"eventId": f"{note_id}/1",
                                                     "reason": "Not mine"}, SENIOR)  # fmt: skip
    unexplained = api.refuse("markEnteredInError", {"eventId": f"{note_id}/1"}, WORKER)
    mark(api, f"{note_id}/1", MANAGER)
    again = api.refuse("markEnteredInError", {"eventId": f"{note_id}/1", "reason": "Twice"},
                       MANAGER)  # fmt: skip

    assert someone_else["extensions"] == {"code": "FORBIDDEN",
                                          "rule": "access.correction.not_author"}  # fmt: skip
    assert rules(unexplained) == ["correction.reason_required"]
    assert rules(again) == ["correction.already_entered_in_error"]


def test_a_correction_that_would_leave_a_record_unsound_is_refused(api: Api) -> None:
    plan = backdated_plan(api, 20)
    plan_id = _plan_id(api, plan.person_id)

    first = api.refuse("markEnteredInError", {"eventId": f"{plan_id}/1", "reason": "x"}, MANAGER)
    outcome = api.refuse("markEnteredInError", {"eventId": f"{plan_id}/2", "reason": "x"},
                         MANAGER)  # fmt: skip
    nothing = api.refuse("markEnteredInError", {"eventId": f"{plan_id}/99", "reason": "x"},
                         MANAGER)  # fmt: skip
    garbled = api.refuse("markEnteredInError", {"eventId": "not-a-fact", "reason": "x"}, MANAGER)

    assert "correction.creation_of_a_derived_record" in rules(first)
    assert rules(outcome) == ["correction.leaves_record_invalid"]  # its step stands on it
    assert nothing["extensions"]["code"] == "NOT_FOUND"
    assert rules(garbled) == ["input.event_id.invalid"]


def test_a_restriction_review_entered_in_error_puts_back_the_review_by_date_before_it(
    api: Api,
) -> None:
    plan = backdated_plan(api, 40)
    review_by = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    imposed = {"personId": plan.person_id, "what": "Card kept in the office", "why": "Lost two",
               "basis": "CONSENT", "proportionality": "Only on shopping days",
               "lessRestrictiveOptions": ["A purse"], "agreedBy": "Mo Khan",
               "reviewBy": review_by, "effectiveAt": days_ago_iso(30)}  # fmt: skip
    restriction = api.mutate("imposeRestriction", imposed, MANAGER)["recordId"]
    reviewed = {
        "restrictionId": restriction,
        "outcome": "CONTINUED",
        "justification": "Still",
        "nextReviewBy": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
    }
    version = api.mutate("reviewRestriction", reviewed, MANAGER)["version"]

    mark(api, f"{restriction}/{version}", MANAGER, "Reviewed the wrong restriction")

    query = """query($s: ID!) { restrictionsInForce(serviceId: $s) { edges { node {
      restrictionId reviewBy daysOverdue } } } }"""
    (kept,) = nodes(api.query(query, {"s": "svc-1"})["restrictionsInForce"])
    assert (kept["restrictionId"], kept["reviewBy"], kept["daysOverdue"]) == (
        restriction, review_by, 5)  # fmt: skip


def _plan_id(api: Api, person_id: str) -> str:
    found = api.query("query($p: ID!) { supportPlan(personId: $p) { id } }", {"p": person_id})
    return str(found["supportPlan"]["id"])


def _history(api: Api, person_id: str, known: str | None) -> list[dict[str, Any]]:
    page = api.query(HISTORY, {"p": person_id, "known": known})["planHistory"]
    return [edge["node"] for edge in page["edges"]]
