"""The FHIR endpoints as a FHIR client meets them: every resource the demo yields validates
with the FHIR model library; reads are scoped, consent-gated and logged as GraphQL's are; every
read takes a moment; every refusal is an OperationOutcome with a stable code."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fhir.resources.R4B import get_fhir_model_class

from api.fhir.served import SERVED
from domain.envelope import Role
from infra.bootstrap import Runtime
from infra.demo import DEMO_TENANT, STAFF, load_demo
from tests.e2e.helpers import (
    MANAGER,
    OTHER_PROVIDER,
    SERVICES,
    WORKER,
    Api,
    Staff,
    agreed_plan,
    days_ago_iso,
    last_position,
    register,
)

DEMO_MANAGER = Staff(STAFF["helen"].id, STAFF["helen"].name, "manager", tenant=DEMO_TENANT)


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """The body, once the FHIR model library accepts it as its resource type (a Bundle's
    entries included)."""
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    return body


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle.get("entry", [])]


def outcome(body: dict[str, Any]) -> tuple[str, list[str]]:
    """An OperationOutcome's code and the rules it names."""
    assert valid(body)["resourceType"] == "OperationOutcome"
    codings = [c for issue in body["issue"] for c in issue["details"]["coding"]]
    (code,) = {c["code"] for c in codings if c["system"] == "urn:stepwise:error"}
    return code, [c["code"] for c in codings if c["system"] == "urn:stepwise:rule"]


def test_every_resource_type_served_for_the_demo_validates(api: Api, runtime: Runtime) -> None:
    people = load_demo(runtime)
    api.reader, api.last_written = DEMO_MANAGER, last_position(api)
    found: list[dict[str, Any]] = []
    for person in people:
        status, patient = api.fhir(f"Patient/{person}")
        assert status == 200
        found.append(valid(patient))
        status, everything = api.fhir(f"Patient/{person}/$everything")
        assert status == 200 and valid(everything)["type"] == "searchset"
        found += resources(everything)
        for served in SERVED:
            status, bundle = api.fhir(served.name, patient=person, _count="200")
            assert status == 200, bundle
            found += resources(valid(bundle))
    for resource in list(found):
        if resource["resourceType"] in ("Patient", "CarePlan", "Flag", "RiskAssessment"):
            status, history = api.fhir(f"{resource['resourceType']}/{resource['id']}/_history")
            assert status == 200 and valid(history)["type"] == "history"
            found += resources(history)

    kinds = Counter(resource["resourceType"] for resource in found)
    assert set(kinds) == {served.name for served in SERVED}, kinds
    for resource in found:  # each on its own, as a client reading one would
        valid(resource)
    plan = next(r for r in found if r["resourceType"] == "CarePlan")
    assert {a["detail"]["code"]["text"].split(":")[0] for a in plan["activity"]} >= {
        "Stage", "Weekly micro-step"}  # fmt: skip
    goal = next(r for r in found if r["resourceType"] == "Goal")
    assert goal["note"][0]["text"].startswith("Baseline: ") and goal["target"][0]["detailString"]


def test_a_resource_reads_as_it_stood_at_a_moment_and_its_history_as_recorded(api: Api) -> None:
    plan = agreed_plan(api)
    person, plan_id = plan.person_id, None
    api.reader = MANAGER
    status, care_plans = api.fhir("CarePlan", patient=person)
    (care_plan,) = resources(care_plans)
    plan_id = care_plan["id"]
    status, history = api.fhir(f"CarePlan/{plan_id}/_history")
    versions = resources(history)
    assert [v["meta"]["versionId"] for v in versions] == [
        str(n) for n in range(plan.version, 0, -1)]  # fmt: skip
    assert versions[0] == care_plan and versions[0]["status"] == "active"
    assert versions[-1]["status"] == "draft" and history["entry"][-1]["request"]["method"] == "POST"

    first = history["entry"][-1]["response"]["lastModified"]
    status, then = api.fhir(f"CarePlan/{plan_id}", asOf=first, asKnownAt=first)
    assert status == 200 and then["meta"]["versionId"] == "1" and then["status"] == "draft"
    status, one = api.fhir(f"CarePlan/{plan_id}/_history/1")
    assert status == 200 and one == versions[-1]
    status, at = api.fhir(f"CarePlan/{plan_id}/_history", _at=first)
    assert [v["meta"]["versionId"] for v in resources(at)] == ["1"]
    status, since = api.fhir(f"CarePlan/{plan_id}/_history", _since=first)
    assert len(resources(since)) == plan.version - 1

    status, before = api.fhir(f"Patient/{person}", asOf=days_ago_iso(30))
    assert status == 404 and outcome(before)[0] == "NOT_FOUND"
    status, provenance = api.fhir("Provenance", target=f"CarePlan/{plan_id}")
    newest = resources(provenance)[0]
    assert newest["target"][0]["reference"] == f"CarePlan/{plan_id}/_history/{plan.version}"
    assert newest["agent"][0]["who"]["identifier"]["value"] == MANAGER.id


def test_pages_follow_the_next_link_to_the_end(api: Api) -> None:
    people = [register(api, f"Person {n}") for n in range(5)]
    api.reader = MANAGER
    listed: list[str] = []
    page = api.fhir("Patient", _count="2")[1]
    while True:
        listed += [patient["id"] for patient in resources(page)]
        following = [link["url"] for link in page["link"] if link["relation"] == "next"]
        if not following:
            break
        query = parse_qs(urlsplit(following[0]).query)
        assert query["_count"] == ["2"]
        page = api.fhir("Patient", _count="2", _cursor=query["_cursor"][0])[1]
    assert listed == people


def test_reads_are_scoped_logged_and_refused_with_outcomes(api: Api) -> None:
    person = register(api, "Ruth")
    api.reader = MANAGER

    status, other = api.fhir(f"Patient/{person}", OTHER_PROVIDER)
    assert status == 404 and outcome(other)[0] == "NOT_FOUND"
    status, empty = api.fhir("Flag", OTHER_PROVIDER, patient=person)
    assert status == 200 and resources(empty) == []
    status, refused = api.fhir("AuditEvent", WORKER, patient=person)
    assert status == 403 and outcome(refused) == ("FORBIDDEN", ["access.role"])
    response = api.client.get(f"/fhir/Patient/{person}")
    assert response.status_code == 401 and outcome(response.json())[0] == "UNAUTHENTICATED"

    assert api.fhir(f"Patient/{person}", WORKER)[0] == 200
    status, audit = api.fhir("AuditEvent", MANAGER, patient=person)
    events = resources(valid(audit))
    reads = [(e["subtype"][0]["code"], e["outcome"], e["agent"][0]["who"]["identifier"]["value"])
             for e in events]  # fmt: skip
    assert ("fhir/Patient", "0", WORKER.id) in reads
    assert ("fhir/AuditEvent", "4", WORKER.id) in reads  # the refused search, logged
    assert ("fhir/Patient", "4", OTHER_PROVIDER.id) in reads  # another provider's try, refused


def test_bad_input_is_refused_with_the_rules_it_broke(api: Api) -> None:
    person = register(api, "Ruth")
    api.reader = MANAGER
    asked = {
        ("Patient/not-an-id", ()): ("VALIDATION_FAILED", ["input.id.invalid"]),
        ("Flag", ()): ("VALIDATION_FAILED", ["input.fhir.patient"]),
        ("Flag", (("patient", person), ("colour", "red"))):
            ("VALIDATION_FAILED", ["input.fhir.parameter"]),
        ("Observation", (("patient", person), ("_count", "0"))):
            ("VALIDATION_FAILED", ["input.fhir.count"]),
        ("Observation", (("patient", person), ("_cursor", "nope"))):
            ("VALIDATION_FAILED", ["input.cursor.invalid"]),
        (f"Patient/{person}", (("asOf", "2026-05-14T09:00:00"),)):
            ("VALIDATION_FAILED", ["input.time.timezone_required"]),
        (f"Patient/{person}", (("asOf", "last May"),)):
            ("VALIDATION_FAILED", ["input.time.invalid"]),
        ("Provenance", (("target", f"Goal/{person}"),)):
            ("VALIDATION_FAILED", ["input.fhir.target"]),
        ("Medication", ()): ("NOT_FOUND", []),
        ("AuditEvent/1", ()): ("NOT_SUPPORTED", []),
        (f"Goal/{person}.outcome-1/_history", ()): ("NOT_SUPPORTED", []),
    }  # fmt: skip
    answered = {}
    for path, params in asked:
        status, body = api.fhir(path, **dict(params))
        answered[(path, params)] = outcome(body)
        assert status in (400, 404, 405)
    assert answered == asked


def test_each_resource_type_is_refused_to_the_roles_that_may_not_read_its_records(
    api: Api,
) -> None:
    person = register(api, "Ruth")
    refused, allowed = set(), set()
    for served in SERVED:
        for role in Role:
            reader = Staff(f"u-{role}", "Reader", role.value, services=SERVICES, grant_days=30)
            status, body = api.fhir(served.name, reader, patient=person)
            if status == 403:
                assert outcome(body) == ("FORBIDDEN", ["access.role"])
                refused.add((served.name, role))
            else:
                assert status == 200, body
                allowed.add((served.name, role))
    assert allowed == {(served.name, role) for served in SERVED for role in served.readers}
    assert refused  # tenant admins read no care records; AuditEvent is governance's
