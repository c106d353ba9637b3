"""Talking to Stepwise as a client does: GraphQL documents over HTTP, with staff headers.

`Api` remembers the log position of its latest write and sends it as
X-Stepwise-Wait-For-Position on every query, so each test reads its own writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.support.payloads import PAYLOAD, published
from tests.support.tokens import bearer

TENANT = "provider-a"
WAIT_FOR_POSITION = "X-Stepwise-Wait-For-Position"
WRITE_RESULT = "recordId version position partId"

STRENGTHS = ["Cooks pasta", "Walks to the shop", "Remembers birthdays"]
SECTIONS = {
    "STRENGTHS": STRENGTHS,
    "INDEPENDENT_SKILLS": ["Makes tea", "Chooses her clothes"],
    "PREFERRED_OUTCOMES": ["Cook for friends"],
    "INFORMAL_SUPPORT": ["Sister visits on Sundays"],
    "COMMUNICATION_PREFERENCES": ["Short written steps"],
}


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    role: str
    tenant: str = TENANT
    services: tuple[str, ...] | None = None  # None: every service of the provider
    grant_days: float | None = None  # an inspector's grant ends this many days from now
    scope: str | None = None
    organisation: str | None = None  # an integration client's, as its token's `org` claim

    @property
    def shown_role(self) -> str:
        """The role as GraphQL answers it: an enum name."""
        return self.role.upper()

    def headers(self) -> dict[str, str]:
        """Their bearer token, as the identity provider would issue it (a copy each time: the
        tokens are cached, and a caller may add headers)."""
        return dict(bearer(self.id, self.name, self.role, self.tenant, self.services,
                           self.grant_days, self.scope, self.organisation))  # fmt: skip


SERVICES = ("svc-1", "svc-2")  # the services the tests' staff work in
WORKER = Staff("u-ann", "Ann Lee", "support_worker", services=SERVICES)
SENIOR = Staff("u-sam", "Sam Adeyemi", "senior_support_worker", services=SERVICES)
MANAGER = Staff("u-mo", "Mo Khan", "manager")
INSPECTOR = Staff("u-ivy", "Ivy Cole", "inspector", services=SERVICES, grant_days=30)
COMMISSIONER = Staff("u-cy", "Cy Nolan", "commissioner")
INTEGRATION = Staff("c-feed", "Case system feed", "integration_client")
TENANT_ADMIN = Staff("u-ada", "Ada Price", "tenant_admin")
OTHER_PROVIDER = Staff("u-bo", "Bo Grant", "manager", tenant="provider-b")


# A typed value of a plan's field (PlanValue), and the field changes and differences holding them.
VALUE = "{ text number texts outcome { id title } step { id } stage { id status } stages { id } }"
CHANGES = f"changes {{ field before {VALUE} after {VALUE} }}"


def plain_value(value: dict[str, Any] | None) -> Any:
    """A PlanValue as the value it holds (its one member that is set)."""
    if value is None:
        return None
    return next((member for member in value.values() if member is not None), None)


def plain_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**change, "before": plain_value(change["before"]),
             "after": plain_value(change["after"])} for change in changes]  # fmt: skip


def mutation_document(name: str) -> str:
    input_type = f"{name[0].upper()}{name[1:]}Input"
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {WRITE_RESULT} }} }}"


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of one page of a connection."""
    return [edge["node"] for edge in connection["edges"]]


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def weeks_ahead(weeks: int) -> str:
    return (date.today() + timedelta(weeks=weeks)).isoformat()


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.last_written = 0
        self.reader = WORKER  # whose token a request carries unless it says otherwise

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Any response, as JSON; never a stack trace, whatever went wrong. Sent with the
        reader's token unless the headers carry another."""
        payload = {"query": query, "variables": variables or {}}
        sent = {**self.reader.headers(), **(headers or {})}
        response = self.client.post("/graphql", json=payload, headers=sent)
        assert "Traceback" not in response.text
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Data of a query that must succeed, once the read models show every write so far."""
        headers = {WAIT_FOR_POSITION: str(self.last_written)} if self.last_written else {}
        body = self.post(query, variables, headers)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def failure(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The one error of a request that must fail."""
        body = self.post(query, variables, headers)
        assert not any((body.get("data") or {}).values()), body
        (error,) = body["errors"]
        assert isinstance(error["extensions"]["code"], str)
        return dict(error)

    def mutate(self, name: str, input: dict[str, Any], by: Staff = WORKER) -> dict[str, Any]:
        """The WriteResult of a mutation that must succeed."""
        body = self.post(mutation_document(name), {"input": input}, by.headers())
        assert "errors" not in body, body["errors"]
        written: dict[str, Any] = body["data"][name]
        self.last_written = max(self.last_written, written["position"])
        return written

    def refuse(self, name: str, input: dict[str, Any], by: Staff | None = WORKER) -> dict[str, Any]:
        """The error of a mutation that must be refused."""
        headers = by.headers() if by else {}
        return self.failure(mutation_document(name), {"input": input}, headers)

    def fhir(self, path: str, reader: Staff | None = None, **params: str) -> tuple[int, Any]:
        """(status, body) of a FHIR read under /fhir, once the read models show every write so
        far; always FHIR JSON, never a stack trace."""
        headers = (reader or self.reader).headers()
        if self.last_written:
            headers[WAIT_FOR_POSITION] = str(self.last_written)
        response = self.client.get(f"/fhir/{path}", params=params, headers=headers)
        assert "Traceback" not in response.text
        assert response.headers["content-type"] == "application/fhir+json", response.text
        return response.status_code, response.json()


def rules(error: dict[str, Any]) -> list[str]:
    assert error["extensions"]["code"] == "VALIDATION_FAILED", error
    return [violation["rule"] for violation in error["extensions"]["violations"]]


# -- the change feed ----------------------------------------------------------------------

FEED = f"""
query Feed($after: String, $first: Int!) {{
  events(after: $after, first: $first) {{
    edges {{ cursor node {{ position streamId streamType version eventType reason
      actor {{ id name role }} tenantId correlationId schemaVersion {PAYLOAD} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""


def feed_page(api: Api, after: str | None, first: int) -> dict[str, Any]:
    page: dict[str, Any] = api.query(FEED, {"after": after, "first": first})["events"]
    for edge in page["edges"]:
        edge["node"]["payload"] = published(edge["node"]["payload"])
    return page


def read_feed(
    api: Api, after: str | None = None, first: int = 100
) -> tuple[list[dict], str | None]:
    """Every event after the cursor, page by page, and the cursor to resume from."""
    events: list[dict[str, Any]] = []
    while True:
        page = feed_page(api, after, first)
        events += [edge["node"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return events, after


def last_position(api: Api) -> int:
    events, _ = read_feed(api)
    return events[-1]["position"] if events else 0


@contextmanager
def nothing_written(api: Api) -> Iterator[None]:
    """Asserts the block adds nothing to the change feed."""
    before = last_position(api)
    yield
    assert last_position(api) == before


# -- histories built through the API ------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    person_id: str
    assessment_id: str
    outcome_id: str
    version: int


def register(
    api: Api, name: str = "Ruth Evans", service_id: str = "svc-1", by: Staff = WORKER
) -> str:
    person = {"name": name, "dateOfBirth": "1970-05-01", "serviceId": service_id, "teamId": "t-1"}
    return str(api.mutate("registerPerson", person, by)["recordId"])


def start_assessment(api: Api, person_id: str, by: Staff = WORKER) -> str:
    return str(api.mutate("startAssessment", {"personId": person_id}, by)["recordId"])


def completed_assessment(api: Api, person_id: str, by: Staff = WORKER) -> str:
    assessment_id = start_assessment(api, person_id, by)
    for section, entries in SECTIONS.items():
        section_input = {"assessmentId": assessment_id, "section": section, "entries": entries}
        api.mutate("recordAssessmentSection", section_input, by)
    contribution = {"assessmentId": assessment_id, "mode": "DIRECT", "summary": "Chose her goals"}
    api.mutate("recordContribution", contribution, by)
    api.mutate("completeAssessment", {"assessmentId": assessment_id}, by)
    return assessment_id


def outcome_input(person_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "personId": person_id,
        "title": "Cooks a meal for friends",
        "baseline": "Staff cook every evening meal",
        "target": "Cooks a two-course meal for friends once a month",
        "evidencedBy": "Daily notes and photos Ruth chooses to share",
        "buildsOn": STRENGTHS[:2],
    } | changes


def drafted_plan(api: Api, name: str = "Ruth Evans", by: Staff = WORKER) -> Plan:
    person_id = register(api, name, by=by)
    assessment_id = completed_assessment(api, person_id, by)
    draft = {"personId": person_id, "assessmentId": assessment_id}
    written = api.mutate("draftSupportPlan", draft, by)
    return Plan(person_id, assessment_id, "", written["version"])


def ready_plan(api: Api, name: str = "Ruth Evans", by: Staff = WORKER) -> Plan:
    """A draft with one outcome and step, guidance, 14 hours and a review date: ready to agree."""
    draft = drafted_plan(api, name, by)
    person_id = draft.person_id
    outcome_id = api.mutate("agreeOutcome", outcome_input(person_id), by)["partId"]
    step = {"personId": person_id, "outcomeId": outcome_id, "strength": STRENGTHS[0],
            "weeklyMicroStep": "Chops the vegetables", "evidenceRoute": "Daily notes"}  # fmt: skip
    api.mutate("addEnablementStep", step, by)
    guidance = {"personId": person_id, "guidance": "Prompt, do not take over"}
    api.mutate("writeStaffGuidance", guidance, by)
    api.mutate("setSupportHours", {"personId": person_id, "hoursPerWeek": 14}, by)
    review = {"personId": person_id, "reviewDate": weeks_ahead(6)}
    written = api.mutate("setNextReviewDate", review, by)
    return Plan(person_id, draft.assessment_id, outcome_id, written["version"])


def agreed_plan(api: Api, name: str = "Ruth Evans", by: Staff = WORKER) -> Plan:
    """A ready plan, agreed by a manager."""
    plan = ready_plan(api, name, by)
    agreed = api.mutate("agreeSupportPlan", {"personId": plan.person_id}, MANAGER)
    return Plan(plan.person_id, plan.assessment_id, plan.outcome_id, agreed["version"])


def backdated_plan(api: Api, days_ago: float, service_id: str = "svc-1") -> Plan:
    """An agreed plan whose whole history took effect `days_ago` (for histories that unfold
    over the weeks since)."""
    at = {"effectiveAt": days_ago_iso(days_ago)}
    person = {"name": "Ruth Evans", "serviceId": service_id, **at}
    person_id = str(api.mutate("registerPerson", person)["recordId"])
    assessment_id = str(api.mutate("startAssessment", {"personId": person_id, **at})["recordId"])
    for section, entries in SECTIONS.items():
        section_input = {"assessmentId": assessment_id, "section": section, "entries": entries}
        api.mutate("recordAssessmentSection", section_input | at)
    api.mutate("recordContribution", {"assessmentId": assessment_id, "mode": "DIRECT",
                                      "summary": "Chose her goals", **at})  # fmt: skip
    api.mutate("completeAssessment", {"assessmentId": assessment_id, **at})
    api.mutate("draftSupportPlan", {"personId": person_id, "assessmentId": assessment_id, **at})
    outcome_id = api.mutate("agreeOutcome", outcome_input(person_id, **at))["partId"]
    step = {"personId": person_id, "outcomeId": outcome_id, "strength": STRENGTHS[0],
            "weeklyMicroStep": "Chops the vegetables", "evidenceRoute": "Daily notes"}  # fmt: skip
    step |= at
    api.mutate("addEnablementStep", step)
    api.mutate("writeStaffGuidance", {"personId": person_id, "guidance": "Prompt first", **at})
    api.mutate("setSupportHours", {"personId": person_id, "hoursPerWeek": 14, **at})
    api.mutate("setNextReviewDate", {"personId": person_id, "reviewDate": weeks_ahead(6), **at})
    agreed = api.mutate("agreeSupportPlan", {"personId": person_id, **at}, MANAGER)
    return Plan(person_id, assessment_id, outcome_id, agreed["version"])


def days_ago_iso(days: float) -> str:
    return days_ago(days).isoformat()
