"""Incidents through GraphQL: reported late, closed only once learned from and answered, listed
per person and per service, and reconstructed: what was in force when it happened, as known then
and as known now, and what followed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.helpers import (
    MANAGER,
    OTHER_PROVIDER,
    Api,
    Staff,
    backdated_plan,
    days_ago_iso,
    nodes,
    rules,
)

RECONSTRUCTION = """query($i: ID!, $k: DateTime) { incidentReconstruction(incidentId: $i,
  asKnownAt: $k) { at asKnownAt incident { status restrictionIds }
  knownThen { asOf asKnownAt plan { supportHoursPerWeek staffGuidance }
    riskDecisions { riskDecisionId parts { safeguards reviewBy } }
    restrictionsInForce { restrictionId } restrictionsOverdue { restrictionId }
    nextReviewDue { dueOn } staffCompetence { staffId } }
  knownNow { plan { supportHoursPerWeek } restrictionsInForce { restrictionId } }
  differs { sections entries { eventType lateEntry recordedAt effectiveAt reason
    actor { name } record { recordType recordId } } }
  followed { eventType actor { name } reason causationId } } }"""
INCIDENTS = """query($s: ID, $p: ID, $status: IncidentStatus) {
  incidents(serviceId: $s, personId: $p, status: $status) { edges { node { incidentId status
    harmLevel practiceChanges { what state daysPastReview } } } } }"""
OPEN_CHANGES = """query($s: ID!, $on: DateTime) { openPracticeChanges(serviceId: $s, asOf: $on) {
  edges { node { changeId incidentId what reviewBy daysPastReview } } } }"""
PARTS = {"risks": ["Crossing the main road"], "couldGoRight": "Buys her own paper",
         "couldGoWrong": "Misses the turning", "safeguards": ["Carries a phone"],
         "escalation": "Call after 30 minutes",
         "personViews": "I want to go on my own"}  # fmt: skip


def day(days_from_now: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days_from_now)).isoformat()


def decided(api: Api, person: str) -> str:
    proposed = {"personId": person, "activity": "Walks to the shop", "reviewBy": day(40),
                "effectiveAt": days_ago_iso(30), **PARTS}  # fmt: skip
    decision = str(api.mutate("proposeRiskDecision", proposed)["recordId"])
    api.mutate("agreeRiskDecision", {"riskDecisionId": decision,
                                     "effectiveAt": days_ago_iso(30)}, MANAGER)  # fmt: skip
    return decision


def reported(api: Api, person: str, decision: str, days_ago: float = 7) -> str:
    report = {"personId": person, "whatHappened": "Crossed against the lights",
              "location": "High Street", "immediateActions": "Staff met her",
              "harmLevel": "LOW", "staffInvolved": ["staff-ann"], "activity": "Walks to the shop",
              "riskDecisionId": decision, "effectiveAt": days_ago_iso(days_ago)}  # fmt: skip
    return str(api.mutate("reportIncident", report)["recordId"])


def learned(api: Api, incident: str) -> None:
    api.mutate("analyseIncident", {"incidentId": incident, "controlsProportionate": "Yes",
                                   "personPrepared": "Practised twice",
                                   "whatWentWrong": "The lights", "whatWentRight": "She phoned"},
               MANAGER)  # fmt: skip
    api.mutate("identifyLearning", {"incidentId": incident, "learning": ["Practise crossing"]},
               MANAGER)  # fmt: skip
    change = {"incidentId": incident, "what": "Weekly practice", "lead": "Mo Khan",
              "reviewBy": day(30)}  # fmt: skip
    api.mutate("agreePracticeChange", change, MANAGER)
    api.mutate("recordIncidentViews", {"incidentId": incident, "views": "I want to keep going",
                                       "wellbeingImpact": "Shaken for a day"})  # fmt: skip


def answered(api: Api, person: str, decision: str, incident: str) -> str:
    """The response: a restriction naming the incident, the decision reviewed, guidance
    revised."""
    restriction = {"personId": person, "what": "Crosses with staff", "why": "Frightened",
                   "basis": "CONSENT", "proportionality": "Until she has practised",
                   "lessRestrictiveOptions": ["A phone call"], "agreedBy": "Ruth",
                   "reviewBy": day(28), "incidentId": incident,
                   "reason": "After the incident"}  # fmt: skip
    restriction_id = str(api.mutate("imposeRestriction", restriction, MANAGER)["recordId"])
    api.mutate("reviewRiskDecision", {"riskDecisionId": decision, "outcome": "CONTINUE",
                                      "nextReviewBy": day(56), "reason": "After the incident"},
               MANAGER)  # fmt: skip
    api.mutate("writeStaffGuidance", {"personId": person, "guidance": "Cross at the lights with "
                                      "her", "reason": "After the incident"}, MANAGER)  # fmt: skip
    return restriction_id


def test_an_incident_is_closed_once_learned_from_and_answered(api: Api) -> None:
    person = backdated_plan(api, 60).person_id
    decision = decided(api, person)
    incident = reported(api, person, decision)

    refusal = api.refuse("closeIncident", {"incidentId": incident}, MANAGER)
    assert sorted(rules(refusal)) == sorted([
        "incident.close.analysis_required", "incident.close.learning_required",
        "incident.close.practice_changes_required", "incident.close.person_views_required",
        "incident.close.wellbeing_impact_required", "incident.close.risk_decision_not_reviewed",
        "incident.close.guidance_not_revised",
    ])  # fmt: skip

    learned(api, incident)
    restriction = answered(api, person, decision, incident)
    api.mutate("closeIncident", {"incidentId": incident}, MANAGER)

    [listed] = nodes(api.query(INCIDENTS, {"p": person})["incidents"])
    assert (listed["incidentId"], listed["status"], listed["harmLevel"]) == (
        incident,
        "CLOSED",
        "LOW",
    )
    assert nodes(api.query(INCIDENTS, {"s": "svc-1", "status": "OPEN"})["incidents"]) == []
    found = api.query(RECONSTRUCTION, {"i": incident})["incidentReconstruction"]
    assert found["incident"]["restrictionIds"] == [restriction]
    followed = [entry["eventType"] for entry in found["followed"]]
    for expected in ("Incident.Reported", "Restriction.Imposed", "RiskDecision.Reviewed",
                     "SupportPlan.StaffGuidanceRewritten", "Incident.Closed"):  # fmt: skip
        assert expected in followed


def test_the_reconstruction_shows_what_was_in_force_then_and_the_late_entry_since(
    api: Api,
) -> None:
    person = backdated_plan(api, 60).person_id
    decision = decided(api, person)
    before_incident = datetime.now(UTC).isoformat()
    incident = reported(api, person, decision, days_ago=0)
    known_before_late_entry = datetime.now(UTC).isoformat()
    hours = {"personId": person, "hoursPerWeek": 10, "effectiveAt": before_incident,
             "reason": "Rota changed before the incident; recorded since"}  # fmt: skip
    api.mutate("setSupportHours", hours, MANAGER)
    answered(api, person, decision, incident)

    found = api.query(RECONSTRUCTION, {"i": incident})["incidentReconstruction"]

    then, now = found["knownThen"], found["knownNow"]
    assert then["asOf"] == then["asKnownAt"] == found["at"]
    [risk] = then["riskDecisions"]
    assert (risk["riskDecisionId"], risk["parts"]["safeguards"]) == (decision, ["Carries a phone"])
    # The restriction imposed after the incident was not in force when it happened.
    assert then["restrictionsInForce"] == [] and now["restrictionsInForce"] == []
    assert then["staffCompetence"] == [{"staffId": "staff-ann"}]  # no staff record: no sign-offs
    assert (then["plan"]["supportHoursPerWeek"], now["plan"]["supportHoursPerWeek"]) == (14, 10)
    [since] = found["differs"]["entries"]
    assert (since["eventType"], since["reason"]) == (
        "SupportPlan.SupportHoursReduced",
        "Rota changed before the incident; recorded since",
    )
    assert found["differs"]["sections"] == ["PLAN"]

    earlier = api.query(RECONSTRUCTION, {"i": incident, "k": known_before_late_entry})
    assert earlier["incidentReconstruction"]["differs"] == {"sections": [], "entries": []}


def test_open_practice_changes_past_their_review_date_come_first(api: Api) -> None:
    person = backdated_plan(api, 60).person_id
    decision = decided(api, person)
    first = reported(api, person, decision, days_ago=20)
    second = reported(api, person, decision, days_ago=10)
    for incident, review_in in ((first, 30), (second, 5)):
        api.mutate("agreePracticeChange", {"incidentId": incident, "what": f"Change {review_in}",
                                           "lead": "Mo Khan", "reviewBy": day(review_in),
                                           "effectiveAt": days_ago_iso(1)}, MANAGER)  # fmt: skip

    in_ten_days = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    # asOf ten days ahead is read as now for what is recorded, but dates are counted then.
    listed = nodes(
        api.query(OPEN_CHANGES, {"s": "svc-1", "on": in_ten_days})["openPracticeChanges"]
    )

    assert [(c["what"], c["daysPastReview"]) for c in listed] == [("Change 5", 5), ("Change 30", 0)]


def test_incidents_are_read_only_within_reach(api: Api) -> None:
    person = backdated_plan(api, 60).person_id
    incident = reported(api, person, decided(api, person))
    api.reader = OTHER_PROVIDER

    assert api.query(RECONSTRUCTION, {"i": incident})["incidentReconstruction"] is None
    assert nodes(api.query(INCIDENTS, {"p": person})["incidents"]) == []
    # Service ids are the provider's own: another provider's svc-1 is another service.
    assert nodes(api.query(INCIDENTS, {"s": "svc-1"})["incidents"]) == []
    api.reader = Staff("u-eli", "Eli Ward", "support_worker", services=("svc-9",))
    error = api.failure(INCIDENTS, {"s": "svc-1"})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert api.query(RECONSTRUCTION, {"i": incident})["incidentReconstruction"] is None


def test_a_list_of_incidents_names_a_service_or_a_person(api: Api) -> None:
    error = api.failure(INCIDENTS, {})
    assert rules(error) == ["input.scope.one_of"]


def test_a_time_without_an_offset_is_refused_with_a_code(api: Api) -> None:
    person = backdated_plan(api, 60).person_id
    query = """query($p: ID!, $f: DateTime) { incidents(personId: $p, from: $f) {
  edges { node { incidentId } } } }"""

    error = api.failure(query, {"p": person, "f": "2026-01-01T00:00:00"})

    assert rules(error) == ["input.time.timezone_required"]


def test_a_restriction_cannot_name_an_incident_that_does_not_exist(api: Api) -> None:
    person = backdated_plan(api, 60).person_id
    restriction = {"personId": person, "what": "Crosses with staff", "why": "Frightened",
                   "basis": "CONSENT", "proportionality": "Short", "reviewBy": day(28),
                   "lessRestrictiveOptions": ["A call"], "agreedBy": "Ruth",
                   "incidentId": "00000000-0000-4000-8000-00000000000a"}  # fmt: skip

    error = api.refuse("imposeRestriction", restriction, MANAGER)

    assert error["extensions"]["code"] == "NOT_FOUND"
