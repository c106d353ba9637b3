"""Who may do what, through HTTP: every mutation and every root query, for every role. The
expected table is written out here, apart from the code's own tables, so a role gaining or
losing an operation by accident fails this test. A refusal for the role is FORBIDDEN with the
rule `access.role`; anything else (a missing record, a broken rule) means the role got past."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from api.schema import schema
from tests.e2e.helpers import (
    COMMISSIONER,
    INSPECTOR,
    INTEGRATION,
    MANAGER,
    SENIOR,
    TENANT_ADMIN,
    WORKER,
    Api,
    Staff,
)

INTEGRATION_WRITING = Staff("c-sync", "Rota sync", "integration_client", scope="records:write")
EVERY_ROLE = [WORKER, SENIOR, MANAGER, COMMISSIONER, INSPECTOR, INTEGRATION, INTEGRATION_WRITING,
              TENANT_ADMIN]  # fmt: skip
STAFF = {WORKER, SENIOR, MANAGER}
RECORD_READERS = {*STAFF, COMMISSIONER, INSPECTOR, INTEGRATION, INTEGRATION_WRITING}

MAY_QUERY: dict[str, set[Staff]] = {
    "person": RECORD_READERS,
    "people": RECORD_READERS,
    "assessment": RECORD_READERS,
    "supportPlan": RECORD_READERS,
    "planHistory": RECORD_READERS,
    "planDiff": RECORD_READERS,
    "auditTrail": RECORD_READERS,
    "events": RECORD_READERS,
    "auditIntegrity": {MANAGER, INSPECTOR, COMMISSIONER, TENANT_ADMIN},
    "accessLog": {MANAGER, TENANT_ADMIN},
    "progressionTimeline": RECORD_READERS,
    "reviews": RECORD_READERS,
    "reviewSchedule": RECORD_READERS,
    "repeatReviews": RECORD_READERS,
    "riskDecisions": RECORD_READERS,
    "restrictions": RECORD_READERS,
    "restrictionsDueForReview": RECORD_READERS,
    "restrictionsInForce": RECORD_READERS,
    "restrictivePracticeTrend": RECORD_READERS,
    "alignmentFindings": RECORD_READERS,
    "incident": RECORD_READERS,
    "incidents": RECORD_READERS,
    "openPracticeChanges": RECORD_READERS,
    "incidentReconstruction": RECORD_READERS,
    "personChronology": RECORD_READERS,
    # workforce records: those who manage, inspect or commission the service
    "staffMember": {SENIOR, MANAGER, INSPECTOR, COMMISSIONER, TENANT_ADMIN},
    "workforceStatus": {SENIOR, MANAGER, INSPECTOR, COMMISSIONER, TENANT_ADMIN},
    "competencyCoverage": {SENIOR, MANAGER, INSPECTOR, COMMISSIONER, TENANT_ADMIN},
    "workforceFindings": {SENIOR, MANAGER, INSPECTOR, COMMISSIONER, TENANT_ADMIN},
    "governance": {SENIOR, MANAGER, INSPECTOR, COMMISSIONER},
    "governanceEvidence": {SENIOR, MANAGER, INSPECTOR, COMMISSIONER},
    "techniques": {*RECORD_READERS, TENANT_ADMIN},
    "webhooks": {TENANT_ADMIN},  # where the provider's records are pushed
    "webhookAttempts": {TENANT_ADMIN},
    "publishedEventTypes": set(EVERY_ROLE),
    "projectionPositions": set(EVERY_ROLE),
}
MANAGERS_ONLY = {"agreeSupportPlan", "holdReview", "agreeRiskDecision", "reviewRiskDecision",
                 "imposeRestriction", "reviewRestriction", "analyseIncident", "identifyLearning",
                 "agreePracticeChange", "communicateLearning", "closeIncident"}  # fmt: skip
# a practice change's lead marks it done or reviewed; seniors induct and supervise
LEADS_ONLY = {"markPracticeChange", "recordInduction", "holdSupervision"}
MANAGERS_ONLY |= {"completeInduction", "signOffCompetency"}
# who joins, moves and leaves: managers and tenant admins
STAFFING = {"joinStaff", "moveStaff", "recordStaffLeaving"}
# how a service (or the provider) practises: managers and tenant admins
SERVICE_SETTINGS = {
    "setPromptLadder",
    "setRestrictionReviewLimit",
    "addTechnique",
    "setGovernanceSettings",
}
# what is pushed to other systems: tenant admins alone
WEBHOOKS = {"registerWebhook", "pauseWebhook", "resumeWebhook", "rotateWebhookSecret",
            "deleteWebhook"}  # fmt: skip
RECORDERS = {*STAFF, INTEGRATION_WRITING}  # an integration client writes only when granted

SAMPLE_SCALARS: dict[str, Any] = {
    "ID": "00000000-0000-4000-8000-000000000000",
    "String": "svc-1",  # a service the scoped roles' tokens name
    "Boolean": True,
    "Int": 1,
    "Float": 1.0,
    "Position": 1,
    "Date": "2026-01-01",
    "DateTime": "2026-01-01T00:00:00+00:00",
    "JSON": {},
}


def sample(kind: GraphQLInputType) -> Any:
    """A value of the type that GraphQL accepts, whatever the domain then makes of it."""
    if isinstance(kind, GraphQLNonNull):
        return sample(kind.of_type)
    if isinstance(kind, GraphQLList):
        return [sample(kind.of_type)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {name: sample(field.type) for name, field in kind.fields.items()
                if isinstance(field.type, GraphQLNonNull)}  # fmt: skip
    assert isinstance(kind, GraphQLScalarType)
    return SAMPLE_SCALARS[kind.name]


def document(operation: str, name: str, field: GraphQLField) -> tuple[str, dict[str, Any]]:
    """The field asked for with sample values of its required arguments, selecting only
    __typename (every object type has it)."""
    required = {arg: a for arg, a in field.args.items() if isinstance(a.type, GraphQLNonNull)}
    declared = ", ".join(f"${arg}: {a.type}" for arg, a in required.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in required)
    text = (f"{operation}{f'({declared})' if declared else ''} "
            f"{{ {name}{f'({passed})' if passed else ''} {{ __typename }} }}")  # fmt: skip
    return text, {arg: sample(a.type) for arg, a in required.items()}


def refused_for_role(api: Api, staff: Staff, text: str, variables: dict[str, Any]) -> bool:
    body = api.post(text, variables, staff.headers())
    codes = [error["extensions"] for error in body.get("errors", [])]
    assert all(code["code"] != "BAD_REQUEST" for code in codes), (text, codes)
    return any(code == {"code": "FORBIDDEN", "rule": "access.role"} for code in codes)


def test_every_root_query_is_in_the_expected_table() -> None:
    assert set(schema._schema.query_type.fields) == set(MAY_QUERY)


def test_each_role_reads_exactly_what_the_table_says(api: Api) -> None:
    wrong = []
    for name, field in schema._schema.query_type.fields.items():
        text, variables = document("query", name, field)
        for staff in EVERY_ROLE:
            allowed = staff in MAY_QUERY[name]
            if refused_for_role(api, staff, text, variables) == allowed:
                wrong.append(f"{staff.name} ({staff.role}) {'refused' if allowed else 'let'} "
                             f"{'' if allowed else 'read '}{name}")  # fmt: skip
    assert wrong == []


def test_each_role_writes_exactly_what_the_table_says(api: Api) -> None:
    mutations = schema._schema.mutation_type.fields
    assert len(mutations) == 58
    wrong = []
    for name, field in mutations.items():
        text, variables = document("mutation", name, field)
        may = {MANAGER} if name in MANAGERS_ONLY else RECORDERS
        if name in SERVICE_SETTINGS:
            may = {MANAGER, TENANT_ADMIN}
        if name in LEADS_ONLY:
            may = {SENIOR, MANAGER}
        if name in STAFFING:
            may = {MANAGER, TENANT_ADMIN}
        if name in WEBHOOKS:
            may = {TENANT_ADMIN}
        for staff in EVERY_ROLE:
            if refused_for_role(api, staff, text, variables) == (staff in may):
                wrong.append(f"{staff.name} ({staff.role}) {name}")
    assert wrong == []
