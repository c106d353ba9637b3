"""The CapabilityStatement at /fhir/metadata: what a FHIR client may ask this server, built from
the declarations of what is served."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import version
from typing import Any

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from api.fhir.served import SERVED, Served

FHIR_VERSION = "4.0.1"  # R4: every resource served here is defined as R4 defines it
MOMENT = [
    {"name": "asOf", "type": "date",
     "documentation": "Describe what was in force at this instant (default: now)"},
    {"name": "asKnownAt", "type": "date",
     "documentation": "Describe it as the record stood at this instant (default: now)"},
]  # fmt: skip


def _resource(served: Served) -> dict[str, Any]:
    interactions = ["search-type"]
    if served.record is not None:
        interactions.append("read")
    if served.history:
        interactions += ["vread", "history-instance"]
    parameters = [{"name": "patient", "type": "reference",
                   "documentation": "The person: <id> or Patient/<id>"}, *MOMENT]  # fmt: skip
    if served.name == "Provenance":
        versions = {"name": "target", "type": "reference",
                    "documentation": "One record's versions, e.g. CarePlan/<id>"}  # fmt: skip
        parameters.append(versions)
    found: dict[str, Any] = {
        "type": served.name,
        "interaction": [{"code": code} for code in interactions],
        "versioning": "versioned" if served.history else "no-version",
        "readHistory": served.history,
        "searchParam": parameters,
    }
    if served.name == "Patient":
        found["operation"] = [{
            "name": "everything",
            "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
        }]  # fmt: skip
    return found


@lru_cache(maxsize=8)
def capability_statement(base_url: str) -> CapabilityStatement:
    return CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": datetime.now(UTC).date().isoformat(),
        "kind": "instance",
        "software": {"name": "Stepwise", "version": version("stepwise")},
        "implementation": {"description": "Stepwise care records, read-only", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read-only. Send `Authorization: Bearer <token>`, the same token "
            "as for GraphQL; the same scoping, consent to share and access log apply.",
            "security": {"service": [{"text": "Bearer token (JWT)"}]},
            "resource": [_resource(served) for served in SERVED],
        }],
    })  # fmt: skip
