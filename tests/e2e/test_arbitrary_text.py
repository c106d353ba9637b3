"""Any text in any text field of any mutation is either refused with a rule id, or stored and
projected: nothing a client can type poisons the log (NUL, lone surrogates and all)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from api.schema import schema
from infra.bootstrap import Runtime
from tests.e2e.helpers import (
    MANAGER,
    SECTIONS,
    STRENGTHS,
    TENANT_ADMIN,
    Api,
    completed_assessment,
    mutation_document,
    outcome_input,
    register,
    start_assessment,
)

RECORD_IDS = {"personId", "assessmentId", "outcomeId", "staffId"}  # name records that exist
EVERY_READ_MODEL = """query($p: ID!, $a: ID!) {
  person(id: $p) { version } assessment(id: $a) { version } supportPlan(personId: $p) { version }
}"""
GRAPHQL = build_schema(schema.as_str())
# Any character a JSON string can carry, surrogates and controls included.
ARBITRARY = st.text(st.characters(exclude_categories=()), max_size=40)


def text_fields(mutation: str) -> list[str]:
    """The input fields of a mutation that take free text."""
    field = GRAPHQL.mutation_type.fields[mutation]  # type: ignore[union-attr]
    input_type = field.args["input"].type
    while isinstance(input_type, GraphQLNonNull):
        input_type = input_type.of_type
    assert isinstance(input_type, GraphQLInputObjectType)
    found = []
    for name, input_field in input_type.fields.items():
        kind = input_field.type
        while isinstance(kind, GraphQLNonNull | GraphQLList):
            kind = kind.of_type
        if kind.name == "String" or (kind.name == "ID" and name not in RECORD_IDS):
            found.append(name)
    return found


@pytest.fixture
def valid_inputs(api: Api, runtime: Runtime) -> dict[str, dict[str, Any]]:
    """A valid input for every mutation, on records that exist."""
    runtime.settings.webhook_key = SecretStr("a-webhook-key-of-more-than-thirty-two-characters")
    person_id = register(api)
    assessment_id = completed_assessment(api, person_id)
    open_assessment = start_assessment(api, person_id)
    api.mutate("draftSupportPlan", {"personId": person_id, "assessmentId": assessment_id})
    outcome_id = api.mutate("agreeOutcome", outcome_input(person_id))["partId"]
    plan = {"personId": person_id}
    stage = {**plan, "outcomeId": outcome_id, "title": "Beside her", "staffWill": "Sit near",
             "exitCriteria": "Two weeks", "reviewDate": "2099-01-01",
             "escalationTriggers": ["Confusion"]}  # fmt: skip
    stage_id = api.mutate("addPathwayStage", stage)["partId"]
    under_way = {**plan, "outcomeId": outcome_id, "stageId": stage_id}
    api.mutate("startStage", under_way)
    review_id = api.mutate("scheduleReview", {**plan, "dueOn": "2099-01-01"})["partId"]
    in_a_month = (date.today() + timedelta(days=30)).isoformat()
    restriction = {**plan, "what": "Kitchen knives locked away", "why": "Cut himself",
                   "basis": "BEST_INTERESTS", "proportionality": "Only at night",
                   "lessRestrictiveOptions": ["Supervised use"], "agreedBy": "Mo Khan",
                   "reviewBy": in_a_month}  # fmt: skip
    restriction_id = api.mutate("imposeRestriction", restriction, MANAGER)["recordId"]
    risk = {**plan, "activity": "Walks to the shop alone", "risks": ["Busy road"],
            "couldGoRight": "Independence", "couldGoWrong": "Gets lost",
            "safeguards": ["Phone charged"], "escalation": "Call the office",
            "reviewBy": in_a_month, "personViews": "I want to go"}  # fmt: skip
    decision_id = api.mutate("proposeRiskDecision", risk)["recordId"]
    note = {**plan, "outcomeId": outcome_id, "note": "Chopped onions"}
    note_id = api.mutate("recordEvidenceNote", note)["recordId"]
    staff = {"staffId": "staff-ann"}
    joined = {**staff, "name": "Ann", "role": "SUPPORT_WORKER", "serviceId": "svc-1"}
    api.mutate("joinStaff", joined, MANAGER)
    incident = {**plan, "whatHappened": "Slipped", "location": "Kitchen",
                "immediateActions": "First aid", "harmLevel": "LOW",
                "staffInvolved": ["staff-ann"]}  # fmt: skip
    incident_id = api.mutate("reportIncident", incident)["recordId"]
    about = {"incidentId": incident_id}
    api.mutate("identifyLearning", {**about, "learning": ["Mop at once"]}, MANAGER)
    change = {**about, "what": "Mats", "lead": "Mo Khan", "reviewBy": "2099-01-01"}
    change_id = api.mutate("agreePracticeChange", change, MANAGER)["partId"]
    # A receiver deliveries may not reach (a private address): tried, never sent.
    webhook = {"url": "https://127.0.0.1:9/hook", "recipient": "c-feed",
               "eventTypes": ["Person.Moved"]}  # fmt: skip
    webhook_id = api.mutate("registerWebhook", webhook, TENANT_ADMIN)["recordId"]
    consent = {"personId": person_id, "recipient": "c-feed", "purpose": "Care records"}
    consent_id = api.mutate("giveSharingConsent", consent)["partId"]
    inputs = {
        "registerWebhook": webhook,
        "pauseWebhook": {"webhookId": webhook_id, "reason": "Moving the receiver"},
        "resumeWebhook": {"webhookId": webhook_id},
        "rotateWebhookSecret": {"webhookId": webhook_id},
        "deleteWebhook": {"webhookId": webhook_id},
        "registerPerson": {"name": "Ruth", "serviceId": "svc-1", "teamId": "t-1"},
        "movePerson": {**plan, "serviceId": "svc-2", "teamId": "t-2", "reason": "New flat"},
        "recordAdvocate": {**plan, "name": "Sam", "relationship": "Brother", "contact": "07"},
        "recordConsentToShare": {**plan, "given": True, "scope": "GP"},
        "giveSharingConsent": {**plan, "recipient": "c-feed", "purpose": "Care records"},
        "withdrawSharingConsent": {**plan, "consentId": consent_id},
        "startAssessment": {**plan},
        "recordAssessmentSection": {
            "assessmentId": open_assessment,
            "section": "STRENGTHS",
            "entries": SECTIONS["STRENGTHS"],
        },
        "recordContribution": {
            "assessmentId": open_assessment,
            "mode": "THROUGH_ADVOCATE",
            "summary": "Said",
            "spokenForBy": "Sam",
            "reasonNotPossible": "n/a",
        },
        "completeAssessment": {"assessmentId": open_assessment},
        "draftSupportPlan": {**plan, "assessmentId": assessment_id},
        "agreeOutcome": outcome_input(person_id),
        "addEnablementStep": {
            **plan,
            "outcomeId": outcome_id,
            "strength": STRENGTHS[0],
            "weeklyMicroStep": "Chops",
            "evidenceRoute": "Notes",
        },
        "writeStaffGuidance": {**plan, "guidance": "Prompt"},
        "setSupportHours": {**plan, "hoursPerWeek": 12},
        "setNextReviewDate": {**plan, "reviewDate": "2099-01-01"},
        "reviseOutcome": {
            **plan,
            "outcomeId": outcome_id,
            "title": "T",
            "baseline": "B",
            "target": "T",
            "evidencedBy": "E",
        },
        "retireOutcome": {**plan, "outcomeId": outcome_id, "reason": "Met"},
        "agreeSupportPlan": {**plan},
        "addPathwayStage": stage,
        "startStage": under_way,
        "recordStageProgress": {**under_way, "progress": "Fewer prompts"},
        "completeStage": {**under_way, "exitEvidence": "Two weeks unprompted"},
        "recordSetback": {
            **under_way,
            "whatHappened": "Missed a stop",
            "whatWasDone": "Debrief",
            "response": "REPEAT_STAGE",
        },
        "scheduleReview": {**plan, "dueOn": "2099-01-01"},
        "holdReview": {
            **plan,
            "reviewId": review_id,
            "personAttended": True,
            "personContributed": True,
            "personViews": "Going well",
        },
        "recordEvidenceNote": {
            **plan,
            "outcomeId": outcome_id,
            "note": "Chopped onions",
            "promptLevel": "gesture",
            "mood": "calm",
        },
        "setPromptLadder": {"serviceId": "svc-1", "rungs": ["alone", "a reminder"]},
        "proposeRiskDecision": risk,
        "recordRiskDecisionParts": {"riskDecisionId": decision_id, "escalation": "Ring"},
        "agreeRiskDecision": {"riskDecisionId": decision_id},
        "reviewRiskDecision": {
            "riskDecisionId": decision_id,
            "outcome": "CONTINUE",
            "nextReviewBy": in_a_month,
            "reason": "Going well",
        },
        "imposeRestriction": restriction,
        "reviewRestriction": {
            "restrictionId": restriction_id,
            "outcome": "CONTINUED",
            "justification": "Still needed",
            "nextReviewBy": in_a_month,
        },
        "setRestrictionReviewLimit": {"days": 60},
        "addTechnique": {"technique": "TRAVEL_TRAINING", "description": "Stop by stop"},
        "setGovernanceSettings": {
            "staticPlanMonths": 9,
            "doingFor": ["done for her"],
            "supportingWith": ["with one prompt"],
        },
        "reportIncident": incident,
        "analyseIncident": {
            **about,
            "controlsProportionate": "Yes",
            "personPrepared": "Shown",
            "whatWentWrong": "Wet floor",
            "whatWentRight": "Quick aid",
        },
        "identifyLearning": {**about, "learning": ["Mop at once"]},
        "agreePracticeChange": change,
        "markPracticeChange": {**about, "changeId": change_id, "state": "DONE", "note": "Did"},
        "recordIncidentViews": {**about, "views": "I slipped", "wellbeingImpact": "Sore"},
        "communicateLearning": {**about, "toWhom": "The day team"},
        "closeIncident": {**about, "noGuidanceChangeReason": "Covered already"},
        "joinStaff": {**joined, "staffId": "staff-bo"},
        "moveStaff": {**staff, "serviceId": "svc-1", "teamId": "night"},
        "recordStaffLeaving": {**staff, "reason": "Moved away"},
        "recordInduction": {**staff, "part": "PROBATION_REVIEW", "detail": "Passed"},
        "completeInduction": {**staff, "confirmation": "Support, not do for"},
        "holdSupervision": {
            **staff,
            "doingForChallenged": "Tea",
            "progressionAchieved": "Cooks",
            "restrictiveResponsesReviewed": "None",
            "agreedActions": ["Observe"],
            "nextDue": "2099-01-01",
        },
        "signOffCompetency": {
            **staff,
            "technique": "PROMPT_LADDER",
            "evidence": "Observed",
            "refresherDue": "2099-01-01",
        },
        "markEnteredInError": {"eventId": f"{note_id}/1", "reason": "Written about someone else"},
    }
    assert set(inputs) == set(GRAPHQL.mutation_type.fields)  # type: ignore[union-attr]
    return inputs


CASES = [(mutation, field) for mutation in sorted(GRAPHQL.mutation_type.fields)  # type: ignore[union-attr]
         for field in text_fields(mutation)]  # fmt: skip


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(case=st.sampled_from(CASES), text=ARBITRARY)
def test_any_text_is_refused_with_a_rule_or_stored_and_projected(
    api: Api, valid_inputs: dict[str, dict[str, Any]], case: tuple[str, str], text: str
) -> None:
    mutation, field = case
    given_input = dict(valid_inputs[mutation])
    given_input[field] = [text] if isinstance(given_input.get(field), list) else text

    # Sent as JSON text with escapes, as any client may: a lone surrogate cannot be UTF-8.
    payload = json.dumps(
        {"query": mutation_document(mutation), "variables": {"input": given_input}}
    )
    issuer = TENANT_ADMIN if mutation.endswith(("Webhook", "WebhookSecret")) else MANAGER
    headers = {**issuer.headers(), "content-type": "application/json"}
    response = api.client.post("/graphql", content=payload, headers=headers)
    body = response.json()
    if response.status_code == 400:  # an escaped lone surrogate: no JSON text in UTF-8
        assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST", body
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in text), text
        return
    assert response.status_code == 200, response.text

    if body.get("errors"):
        [error] = body["errors"]
        # A key typed twice (any text is a key) is refused as reused: a coded refusal too.
        refusals = ("VALIDATION_FAILED", "BAD_REQUEST", "IDEMPOTENCY_KEY_REUSED")
        assert error["extensions"]["code"] in refusals, error
        if error["extensions"]["code"] == "VALIDATION_FAILED":
            assert all(violation["rule"] for violation in error["extensions"]["violations"])
    else:
        api.last_written = body["data"][mutation]["position"]
        # Waits until every read model has applied it (or answers NOT_READY if one cannot).
        records = {"p": valid_inputs["agreeOutcome"]["personId"],
                   "a": valid_inputs["draftSupportPlan"]["assessmentId"]}  # fmt: skip
        api.query(EVERY_READ_MODEL, records)
        ready = api.client.get("/ready").json()
        assert ready["status"] == "ready", ready  # every read model applied it
