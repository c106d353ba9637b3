"""How the FHIR endpoints answer: a resource or a Bundle as `application/fhir+json`, and every
refusal as an OperationOutcome carrying the same stable codes and rule ids as GraphQL errors
(`urn:stepwise:error` and `urn:stepwise:rule`), never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Response
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.resource import Resource

from api.auth import IdentityProviderUnavailable, Unauthenticated
from api.errors import describe

log = logging.getLogger("stepwise.fhir")

MEDIA_TYPE = "application/fhir+json"
ERROR = "urn:stepwise:error"
RULE = "urn:stepwise:rule"
# Each of our codes as HTTP answers it, and as FHIR's issue types name it.
ANSWERS = {
    "VALIDATION_FAILED": (400, "invalid"),
    "BAD_REQUEST": (400, "invalid"),
    "UNAUTHENTICATED": (401, "login"),
    "FORBIDDEN": (403, "forbidden"),
    "NOT_FOUND": (404, "not-found"),
    "NOT_SUPPORTED": (405, "not-supported"),
    "BUSY": (429, "throttled"),
    "UNAVAILABLE": (503, "transient"),
    "NOT_READY": (503, "transient"),
    "INTERNAL": (500, "exception"),
}


def answer(resource: Resource, status: int = 200) -> Response:
    return Response(resource.model_dump_json(), status_code=status, media_type=MEDIA_TYPE)


def refusal(code: str, message: str, issues: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> Response:  # fmt: skip
    """An OperationOutcome saying why: one issue for the refusal, or one per rule broken."""
    status, kind = ANSWERS[code]
    coded = {"coding": [{"system": ERROR, "code": code}], "text": message}
    outcome = OperationOutcome.model_validate({
        "resourceType": "OperationOutcome",
        "issue": issues or [{"severity": "error", "code": kind, "details": coded,
                             "diagnostics": message}],
    })  # fmt: skip
    return Response(outcome.model_dump_json(), status_code=status, media_type=MEDIA_TYPE,
                    headers=headers)  # fmt: skip


def not_found(what: str) -> Response:
    return refusal("NOT_FOUND", f"no {what} that you may read")


def from_error(error: Exception) -> Response:
    """The OperationOutcome for an error raised while answering; anything unexpected is logged
    in full and answered as INTERNAL."""
    if isinstance(error, Unauthenticated):
        return refusal("UNAUTHENTICATED", str(error), headers={"WWW-Authenticate": "Bearer"})
    if isinstance(error, IdentityProviderUnavailable):
        return refusal("UNAVAILABLE", str(error), headers={"Retry-After": "1"})
    described = describe(error)
    if described is None:
        log.error("unexpected error", exc_info=error)
        return refusal("INTERNAL", "unexpected error; it has been logged")
    code, message, extra = described
    kind = ANSWERS[code][1]
    if code == "VALIDATION_FAILED":
        issues = [{"severity": "error", "code": kind, "diagnostics": violation["message"],
                   "details": {"coding": [{"system": ERROR, "code": code},
                                          {"system": RULE, "code": violation["rule"]}]},
                   "expression": [violation["field"]]}
                  for violation in extra["violations"]]  # fmt: skip
        return refusal(code, message, issues)
    if code == "FORBIDDEN":
        issue = {"severity": "error", "code": kind, "diagnostics": message,
                 "details": {"coding": [{"system": ERROR, "code": code},
                                        {"system": RULE, "code": extra["rule"]}]}}  # fmt: skip
        return refusal(code, message, [issue])
    retry = {"Retry-After": "1"} if extra.get("retryable") else None
    return refusal(code, message, headers=retry)
