"""FHIR resources built from the read models' rows: each is checked against the FHIR model
library's definition as it is built, so nothing leaves that a FHIR client would reject.

The library ships R4B (4.3.0) models, the closest to R4 (4.0.1): every element used here is the
same in both."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.riskassessment import RiskAssessment

from api.common import when
from domain.pathway import COMPLETED, CURRENT, PLANNED
from domain.restriction import IN_FORCE
from domain.risk_decision import AGREED, DRAFT
from projections.base import Row

# Codes Stepwise defines for what FHIR leaves to each system, under one URI each.
SYSTEM = "urn:stepwise"
ACTOR = f"{SYSTEM}:actor"  # a member of staff or a client, by their token's subject
RECORD = f"{SYSTEM}:record"  # a Stepwise record served as no FHIR resource
EVENT_TYPE = f"{SYSTEM}:event-type"
SERVICE = f"{SYSTEM}:service"
TEAM = f"{SYSTEM}:team"
PROMPT = f"{SYSTEM}:evidence"  # the parts of an evidence note
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_TYPE = {"system": DICOM, "code": "110110", "display": "Patient Record"}
AUDIT_OUTCOME = {"read": "0", "denied": "4"}  # success; minor failure (refused)


def instant(value: Any) -> str:
    return when(value).isoformat()


def meta(version: int, updated: Any) -> dict[str, Any]:
    return {"versionId": str(version), "lastUpdated": instant(updated)}


def subject(person_id: str, name: str | None = None) -> dict[str, Any]:
    return {"reference": f"Patient/{person_id}"} | ({"display": name} if name else {})


def actor(actor_id: str, name: str, role: str) -> dict[str, Any]:
    return {"identifier": {"system": ACTOR, "value": actor_id}, "display": f"{name} ({role})"}


def goal_id(plan_id: str, outcome_id: str) -> str:
    """A goal is an outcome of a plan: the ids of both (FHIR ids allow letters, digits, - and
    ., up to 64 characters: a plan id is 36, an outcome id 20)."""
    return f"{plan_id}.{outcome_id}"


def patient(row: Row) -> Patient:
    document = json.loads(row["document"])
    identifiers = [{"system": SERVICE, "value": row["service_id"]}]
    if row["team_id"]:
        identifiers.append({"system": TEAM, "value": row["team_id"]})
    found: dict[str, Any] = {
        "resourceType": "Patient",
        "id": row["person_id"],
        "meta": meta(row["version"], row["updated_at"]),
        "active": True,
        "name": [{"text": row["name"]}],
        "birthDate": document["dateOfBirth"],
        "identifier": identifiers,
    }
    if advocate := document["advocate"]:
        telecom = (
            [{"system": "other", "value": advocate["contact"]}] if advocate["contact"] else None
        )
        found["contact"] = [{"relationship": [{"text": advocate["relationship"]}],
                             "name": {"text": advocate["name"]}, "telecom": telecom}]  # fmt: skip
    return Patient.model_validate(found)


def care_plan(row: Row) -> CarePlan:
    """A support plan: its outcomes are goals; each outcome's stages and weekly micro-steps are
    activities (a stage scheduled for its review date, in progress, done or not started)."""
    document = json.loads(row["document"])
    plan_id, person_id = row["plan_id"], row["person_id"]
    activities: list[dict[str, Any]] = []
    for outcome_id, outcome in document["outcomes"].items():
        goal = {"reference": f"Goal/{goal_id(plan_id, outcome_id)}", "display": outcome["title"]}
        for stage in outcome["stages"]:
            activities.append({"detail": {
                "kind": "ServiceRequest", "status": STAGE_STATUS.get(stage["status"], "unknown"),
                "code": {"text": f"Stage: {stage['title']}"},
                "description": stage["staffWill"] or stage["title"], "goal": [goal],
                "scheduledString": f"review by {stage['reviewDate']}"
                if stage.get("reviewDate") else None,
            }})  # fmt: skip
        for step in outcome["steps"].values():
            activities.append({"detail": {
                "kind": "ServiceRequest",
                "status": "stopped" if outcome["status"] == "retired" else "in-progress",
                "code": {"text": "Weekly micro-step"}, "description": step["weeklyMicroStep"],
                "goal": [goal], "scheduledString": "weekly",
            }})  # fmt: skip
    found: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": plan_id,
        "meta": meta(row["version"], row["updated_at"]),
        "status": "active" if document["status"] == "agreed" else "draft",
        "intent": "plan",
        "title": "Support plan",
        "subject": subject(person_id),
        "description": document["staffGuidance"],
        "goal": [{"reference": f"Goal/{goal_id(plan_id, key)}"} for key in document["outcomes"]],
        "activity": activities or None,
        "note": _notes(
            f"Support hours per week: {document['supportHoursPerWeek']}"
            if document["supportHoursPerWeek"] is not None else None,
            f"Next review: {document['nextReviewDate']}" if document["nextReviewDate"] else None,
            "Builds on the strengths assessed: " + "; ".join(document["assessedStrengths"])
            if document["assessedStrengths"] else None,
        ),
    }  # fmt: skip
    return CarePlan.model_validate(found)


STAGE_STATUS = {PLANNED: "not-started", CURRENT: "in-progress", COMPLETED: "completed"}


def goals(row: Row) -> list[Goal]:
    """The plan's outcomes: what the person does now (the baseline, a note) and the target."""
    document = json.loads(row["document"])
    return [goal(row, outcome_id, outcome) for outcome_id, outcome in document["outcomes"].items()]


def goal(row: Row, outcome_id: str, outcome: dict[str, Any]) -> Goal:
    active = outcome["status"] != "retired"
    found = {
        "resourceType": "Goal",
        "id": goal_id(row["plan_id"], outcome_id),
        "meta": meta(row["version"], row["updated_at"]),
        "lifecycleStatus": "active" if active else "cancelled",
        "description": {"text": outcome["title"]},
        "subject": subject(row["person_id"]),
        "target": [{"detailString": outcome["target"]}],
        "note": _notes(
            f"Baseline: {outcome['baseline']}",
            f"Evidenced by: {outcome['evidencedBy']}" if outcome["evidencedBy"] else None,
            "Builds on: " + "; ".join(outcome["buildsOn"]) if outcome["buildsOn"] else None,
        ),
    }  # fmt: skip
    return Goal.model_validate(found)


def observation(row: Row, plan_id: str) -> Observation:
    """An evidence note: what happened, in the writer's words, with the prompt, confidence and
    steps it records, about one outcome (its focus)."""
    components = [
        ("prompt-level", {"valueString": row["prompt_level"]}),
        ("prompt-rung", {"valueInteger": row["prompt_rung"]}),
        ("confidence", {"valueInteger": row["confidence"]}),
        ("steps-completed", {"valueInteger": row["steps_completed"]}),
        ("steps-of", {"valueInteger": row["steps_of"]}),
        ("refused", {"valueBoolean": bool(row["refused"])}),
        ("mood", {"valueString": row["mood"]}),
    ]
    found = {
        "resourceType": "Observation",
        "id": row["note_id"],
        "meta": meta(row["version"], row["recorded_at"]),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "social-history"}]}],
        "code": {"coding": [{"system": PROMPT, "code": "evidence-note"}], "text": "Evidence note"},
        "subject": subject(row["person_id"]),
        "focus": [{"reference": f"Goal/{goal_id(plan_id, row['outcome_id'])}"}],
        "effectiveDateTime": instant(row["effective_at"]),
        "issued": instant(row["recorded_at"]),
        "valueString": row["note"],
        "component": [
            {"code": {"coding": [{"system": PROMPT, "code": code}]}, **value}
            for code, value in components
            if next(iter(value.values())) is not None
        ],
    }
    return Observation.model_validate(found)


def risk_assessment(row: Row) -> RiskAssessment:
    """A positive risk-taking decision: the activity, what could go wrong (predictions) and
    right, the safeguards (mitigation), the person's and advocate's views."""
    document = json.loads(row["document"])
    parts = document["parts"]
    found = {
        "resourceType": "RiskAssessment",
        "id": row["risk_decision_id"],
        "meta": meta(row["version"], row["updated_at"]),
        "status": RISK_STATUS.get(row["status"], "preliminary"),
        "code": {"text": row["activity"]},
        "subject": subject(row["person_id"]),
        "occurrenceDateTime": instant(row["proposed_at"]),
        "prediction": [{"outcome": {"text": risk}} for risk in parts.get("risks") or []] or None,
        "mitigation": "; ".join(parts.get("safeguards") or []) or None,
        "note": _notes(
            f"Could go right: {parts['couldGoRight']}" if parts.get("couldGoRight") else None,
            f"Could go wrong: {parts['couldGoWrong']}" if parts.get("couldGoWrong") else None,
            f"The person's views: {parts['personViews']}" if parts.get("personViews") else None,
            f"Advocate's views: {parts['advocateViews']}" if parts.get("advocateViews") else None,
            f"Escalation: {parts['escalation']}" if parts.get("escalation") else None,
            f"Review by: {parts['reviewBy']}" if parts.get("reviewBy") else None,
            f"Agreed by {document['agreedBy']}" if document.get("agreedBy") else None,
        ),
    }  # fmt: skip
    return RiskAssessment.model_validate(found)


RISK_STATUS = {DRAFT: "preliminary", AGREED: "final"}


def flag(row: Row) -> Flag:
    """A restriction: what is restricted, active while in force (its period ends when lifted)."""
    period = {"start": instant(row["imposed_at"])}
    if row["lifted_at"]:
        period["end"] = instant(row["lifted_at"])
    found = {
        "resourceType": "Flag",
        "id": row["restriction_id"],
        "meta": meta(row["version"], row["updated_at"]),
        "status": "active" if row["status"] == IN_FORCE else "inactive",
        "category": [{"text": "Restriction"}],
        "code": {"text": row["what"]},
        "subject": subject(row["person_id"]),
        "period": period,
        "author": {"display": row["agreed_by"]} if row["agreed_by"] else None,
    }
    return Flag.model_validate(found)


def provenance(row: Row, target: dict[str, Any]) -> Provenance:
    """Who changed a record, when it took effect and was recorded, and why: one version."""
    found = {
        "resourceType": "Provenance",
        "id": str(row["position"]),
        "target": [target],
        "occurredDateTime": instant(row["effective_at"]),
        "recorded": instant(row["recorded_at"]),
        "reason": [{"text": row["reason"]}] if row["reason"] else None,
        "activity": {"coding": [{"system": EVENT_TYPE, "code": row["event_type"]}],
                     "text": row["event_type"]},
        "agent": [{"who": actor(row["actor_id"], row["actor_name"], row["actor_role"])}],
    }  # fmt: skip
    return Provenance.model_validate(found)


def audit_event(row: Row) -> AuditEvent:
    """A read of a person's records, or a refused one: who, when, what and why."""
    entity: list[dict[str, Any]] = []
    if row["person_id"]:
        entity.append({"what": {"reference": f"Patient/{row['person_id']}"}})
    if row["record_id"] and row["record_id"] != row["person_id"]:
        entity.append({"what": {"identifier": {"system": RECORD, "value": row["record_id"]}}})
    found = {
        "resourceType": "AuditEvent",
        "id": str(row["entry_id"]),
        "type": AUDIT_TYPE,
        "subtype": [{"system": f"{SYSTEM}:field", "code": row["field"]}],
        "action": "R",
        "recorded": instant(row["read_at"]),
        "outcome": AUDIT_OUTCOME[row["outcome"]],
        "outcomeDesc": row["detail"],
        "purposeOfEvent": [{"text": row["purpose"]}] if row["purpose"] else None,
        "agent": [{"who": actor(row["actor_id"], row["actor_name"], row["actor_role"]),
                   "requestor": True}],
        "source": {"observer": {"display": "Stepwise"}},
        "entity": entity or None,
    }  # fmt: skip
    return AuditEvent.model_validate(found)


def _notes(*texts: str | None) -> list[dict[str, str]] | None:
    found = [{"text": text} for text in texts if text]
    return found or None
