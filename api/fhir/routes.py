"""The FHIR endpoints: read, search by patient, `_history` (with `_since` and `_at`) and
Patient/$everything, with the same bearer tokens, scoping, consent gate and access log as
GraphQL. Every read takes `asOf` and `asKnownAt` as GraphQL's do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

from fastapi import APIRouter, Request, Response
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource
from starlette.concurrency import run_in_threadpool

from api.access import refusal
from api.auth import Authenticator, caller_of
from api.common import record_id
from api.context import Context
from api.fhir import outcomes
from api.fhir import resources as build
from api.fhir.capabilities import capability_statement
from api.fhir.served import (
    BY_NAME,
    SERVED,
    Lookup,
    Page,
    Served,
    cursor,
    target,
    uncursor,
    version_moment,
)
from api.waiting import ReadModelWatch
from domain.errors import RulesViolated, Violation
from infra.access_log import AccessLogFull
from infra.bootstrap import Runtime
from projections.base import Transaction
from projections.chronology import record_versions
from projections.people import People, owner_of, people_page
from projections.states import Moment
from projections.support_plans import SupportPlans

DEFAULT_COUNT, MAX_COUNT = 50, 200
IGNORED = {"_format", "_pretty"}  # asked of every FHIR server; JSON is the only format here
FLUSH_WAIT = 10.0  # seconds for the access log to be written before AuditEvents are read


class FhirRequest:
    """One request: who asks, the moment asked about, and reads through the GraphQL context
    (scoping, the consent gate, waiting for a position and the access log)."""

    def __init__(self, runtime: Runtime, context: Context, request: Request) -> None:
        self.runtime, self.context, self.request = runtime, context, request
        self.params = request.query_params
        self.moment = context.moment(self.instant("asOf"), self.instant("asKnownAt"))

    def check(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.params) - allowed - IGNORED - {"asOf", "asKnownAt"})
        if unknown:
            known = ", ".join(sorted(allowed | {"asOf", "asKnownAt"}))
            violations = [Violation("input.fhir.parameter", name,
                                    f"not a parameter of this interaction; it takes {known}")
                          for name in unknown]  # fmt: skip
            raise RulesViolated(violations)

    def may_read(self, served: Served, field: str, person_id: str | None,
                 record_id: str | None = None) -> None:  # fmt: skip
        caller = self.context.caller()
        refused = refusal(caller, field, served.readers, datetime.now(UTC))
        if refused is not None:
            self.context.log_refused(field, str(refused), person_id, record_id)
            raise refused
        self.context.check_purpose()

    def instant(self, name: str) -> datetime | None:
        given = self.request.query_params.get(name)
        if given is None:
            return None
        try:
            return datetime.fromisoformat(given)
        except ValueError:
            violation = Violation("input.time.invalid", name,
                                  "send an instant, e.g. 2026-05-14T09:00:00Z")  # fmt: skip
            raise RulesViolated([violation]) from None

    def count(self) -> int:
        given = self.params.get("_count", str(DEFAULT_COUNT))
        if not given.isdigit() or not 1 <= int(given) <= MAX_COUNT:
            violation = Violation("input.fhir.count", "_count",
                                  f"send a number of entries from 1 to {MAX_COUNT}")  # fmt: skip
            raise RulesViolated([violation])
        return int(given)

    def lookup(self, tx: Transaction, moment: Moment | None = None) -> Lookup:
        plans = cast(SupportPlans, self.runtime.projector.model(SupportPlans.name))
        return Lookup(tx, moment or self.moment, self.context.caller().tenant_id, plans)

    def url(self, path: str) -> str:
        return f"{str(self.request.base_url).rstrip('/')}/fhir/{path}"


def person_named(reference: str, name: str) -> str:
    """A patient search parameter's person: `<id>` or `Patient/<id>`."""
    return record_id(reference.removeprefix("Patient/"), name)


Handler = Callable[["FhirRequest"], Awaitable[Response]]


def fhir_routes(runtime: Runtime, watch: ReadModelWatch, authenticator: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/fhir", tags=["FHIR R4"])

    async def answering(request: Request, handle: Handler) -> Response:
        try:
            caller = await caller_of(authenticator, request.headers)
            context = Context(runtime, watch, request, caller)
            return await handle(FhirRequest(runtime, context, request))
        except Unserved as unserved:
            return outcomes.refusal("NOT_FOUND", str(unserved))
        except Exception as error:  # every refusal leaves as an OperationOutcome
            return outcomes.from_error(error)

    @router.get("/metadata", summary="The CapabilityStatement: what this server answers")
    async def metadata(request: Request) -> Response:
        return outcomes.answer(capability_statement(str(request.base_url).rstrip("/") + "/fhir"))

    @router.get("/Patient/{person_id}/$everything", summary="A person's records as a Bundle")
    async def everything(request: Request, person_id: str) -> Response:
        return await answering(request, lambda r: _everything(r, person_id))

    @router.get("/{kind}/{resource_id}/_history/{version}", summary="One version of a resource")
    async def version_read(request: Request, kind: str, resource_id: str, version: str) -> Response:
        return await answering(request, lambda r: _history(r, kind, resource_id, version))

    @router.get("/{kind}/{resource_id}/_history", summary="Every version of a resource")
    async def history(request: Request, kind: str, resource_id: str) -> Response:
        return await answering(request, lambda r: _history(r, kind, resource_id, None))

    @router.get("/{kind}/{resource_id}", summary="A resource as it stood at a moment")
    async def read(request: Request, kind: str, resource_id: str) -> Response:
        return await answering(request, lambda r: _read(r, kind, resource_id))

    @router.get("/{kind}", summary="A person's resources of one type (`patient=`)")
    async def search(request: Request, kind: str) -> Response:
        return await answering(request, lambda r: _search(r, kind))

    return router


def _served(kind: str) -> Served:
    served = BY_NAME.get(kind)
    if served is None:
        raise Unserved(f"{kind} is not served here; the CapabilityStatement at /fhir/metadata "
                       f"lists what is: {', '.join(BY_NAME)}")  # fmt: skip
    return served


class Unserved(Exception):
    """A resource type this server does not serve."""


async def _read(r: FhirRequest, kind: str, resource_id: str) -> Response:
    served = _served(kind)
    r.check(set())
    if served.record is None:
        return _not_supported(f"{kind} is searched (by patient), not read by id")
    record = record_id(served.record_of(resource_id), "id")
    field = f"fhir/{kind}"
    r.may_read(served, field, record if kind == "Patient" else None, record)

    def query(tx: Transaction) -> Resource | None:
        owner = owner_of(tx, record)
        person = owner["person_id"] if owner else None
        return served.find(r.lookup(tx), person, resource_id) if person else None

    found = await r.context.read_record(field, record, query, *served.read_models)
    return (
        outcomes.answer(found) if found is not None else outcomes.not_found(f"{kind}/{resource_id}")
    )


async def _search(r: FhirRequest, kind: str) -> Response:
    served = _served(kind)
    extra = {"Provenance": {"target"}, "Patient": {"_id", "service"}}.get(kind, set())
    r.check({"patient", "subject", "_count", "_cursor"} | extra)
    count, after = r.count(), r.params.get("_cursor")
    if kind == "Provenance" and "target" in r.params:
        return await _provenance_of(r, served, r.params["target"], count)
    named = r.params.get("patient") or r.params.get("subject") or r.params.get("_id")
    if named is None and kind == "Patient":
        return await _people(r, served, count)
    if named is None:
        violation = Violation("input.fhir.patient", "patient",
                              f"search {kind} by patient: ?patient=<person id>")  # fmt: skip
        raise RulesViolated([violation])
    person = person_named(named, "patient")
    field = f"fhir/{kind}"
    r.may_read(served, field, person)
    # Reads made before this one are written first, so they are all in the answer.
    if kind == "AuditEvent" and not await run_in_threadpool(r.runtime.access_log.flush, FLUSH_WAIT):
        raise AccessLogFull("the access log is still being written; retry shortly")
    page = await r.context.read_person(
        field,
        person,
        lambda tx: served.search(r.lookup(tx), person, after, count),
        *served.read_models,
    )
    page = page or Page([])
    return outcomes.answer(_searchset(r, kind, page, count))


async def _people(r: FhirRequest, served: Served, count: int) -> Response:
    """The people the caller reaches, in registration order (`service=` for one service), as
    the people query lists them: an integration client's leave out those not sharing with it."""
    field = "fhir/Patient"
    r.may_read(served, field, None)
    caller = r.context.caller()
    named = r.params.get("service")
    service = r.context.reached_service(field, named) if named is not None else None
    start = uncursor(r.params.get("_cursor"), 1)
    after = int(start[0]) if start else 0
    rows = await r.context.read(
        lambda tx: people_page(tx, caller.tenant_id, service, after, count, r.moment,
                               caller.services), People.name)  # fmt: skip
    shown = rows[:count]
    r.context.log_reads(field, caller.tenant_id, [(row["person_id"], row["person_id"])
                                                  for row in shown])  # fmt: skip
    following = cursor(rows[count - 1]["registered_position"]) if len(rows) > count else None
    page = Page([build.patient(row) for row in shown], following)
    return outcomes.answer(_searchset(r, "Patient", page, count))


async def _provenance_of(r: FhirRequest, served: Served, reference: str, count: int) -> Response:
    """The versions of one record: `target=CarePlan/<id>`, newest first."""
    kind, _, resource_id = reference.partition("/")
    versioned = BY_NAME.get(kind)
    if versioned is None or not versioned.history:
        violation = Violation(
            "input.fhir.target",
            "target",
            "name a resource with versions, e.g. "
            "CarePlan/<id>: " + ", ".join(s.name for s in SERVED if s.history),
        )
        raise RulesViolated([violation])
    record = record_id(resource_id, "target")
    field = "fhir/Provenance"
    r.may_read(served, field, None, record)
    before = r.params.get("_cursor")
    start = int(before) if before and before.isdigit() else None

    def query(tx: Transaction) -> Page:
        owner = owner_of(tx, record)
        if owner is None or owner["person_id"] is None:
            return Page([])
        rows = record_versions(tx, owner["person_id"], record, known_at=r.moment.as_known_at,
                               recorded_after=None, before_version=start, first=count)  # fmt: skip
        shown = [build.provenance(row, target(row)) for row in rows[:count]]
        last = rows[count - 1]["version"] if len(rows) > count else None
        return Page(shown, str(last) if last is not None else None)

    page = await r.context.read_record(field, record, query, *served.read_models)
    return outcomes.answer(_searchset(r, "Provenance", page or Page([]), count))


async def _everything(r: FhirRequest, person_id: str) -> Response:
    """The person and every resource about them the caller may read, at the moment asked."""
    r.check(set())
    person = record_id(person_id, "id")
    field = "fhir/Patient/$everything"
    r.may_read(BY_NAME["Patient"], field, person, person)
    role = r.context.caller().actor.role
    included = [served for served in SERVED if served.in_everything and role in served.readers]
    models = tuple(model for served in included for model in served.read_models)

    def query(tx: Transaction) -> list[Resource]:
        lookup = r.lookup(tx)
        found: list[Resource] = []
        for served in included:
            after: str | None = None
            while True:
                page = served.search(lookup, person, after, MAX_COUNT)
                found += page.resources
                if (after := page.next) is None:
                    break
        return found

    resources = await r.context.read_person(field, person, query, *models)
    if not resources:
        return outcomes.not_found(f"Patient/{person_id}")
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
              "link": [{"relation": "self", "url": str(r.request.url)}],
              "entry": [_entry(r, resource) for resource in resources]}  # fmt: skip
    return outcomes.answer(Bundle.model_validate(bundle))


async def _history(r: FhirRequest, kind: str, resource_id: str, version: str | None) -> Response:
    """A resource's versions, newest first (`_since`: recorded after; `_at`: the one current
    then), each as the record stood once it was recorded; or one version."""
    served = _served(kind)
    r.check(set() if version is not None else {"_since", "_at", "_count", "_cursor"})
    if not served.history:
        return _not_supported(f"{kind} keeps no versions of its own; read its record's")
    if version is not None and not version.isdigit():
        raise RulesViolated([Violation("input.fhir.version", "vid", "send a version number")])
    record = record_id(resource_id, "id")
    field = f"fhir/{kind}/_history"
    r.may_read(served, field, record if kind == "Patient" else None, record)
    count = 1 if version is not None or "_at" in r.params else r.count()
    since, at = r.instant("_since"), r.instant("_at")
    known_at = min(r.moment.as_known_at, at) if at else r.moment.as_known_at
    cursor = r.params.get("_cursor")
    before = int(version) + 1 if version is not None else (
        int(cursor) if cursor and cursor.isdigit() else None)  # fmt: skip

    def query(tx: Transaction) -> tuple[list[tuple[Any, Resource | None]], int | None]:
        owner = owner_of(tx, record)
        if owner is None or owner["person_id"] is None:
            return [], None
        person = owner["person_id"]
        rows = record_versions(tx, person, record, known_at=known_at, recorded_after=since,
                               before_version=before, first=count)  # fmt: skip
        shown = [(row, served.find(r.lookup(tx, version_moment(row["recorded_at"])), person,
                                   resource_id)) for row in rows[:count]]  # fmt: skip
        paged = len(rows) > count and "_at" not in r.params  # `_at` asks for one version
        return shown, (rows[count - 1]["version"] if paged else None)

    found = await r.context.read_record(field, record, query, *served.read_models, "chronology")
    versions, last = found or ([], None)
    if version is not None:
        matching = [resource for row, resource in versions if str(row["version"]) == version]
        if not matching or matching[0] is None:
            return outcomes.not_found(f"{kind}/{resource_id}/_history/{version}")
        return outcomes.answer(matching[0])
    if found is None:
        return outcomes.not_found(f"{kind}/{resource_id}")
    entries = [_history_entry(r, kind, row, resource) for row, resource in versions]
    links = [{"relation": "self", "url": str(r.request.url)}]
    if last is not None:
        links.append({"relation": "next", "url": _with(r, _cursor=str(last))})
    bundle = {"resourceType": "Bundle", "type": "history", "link": links, "entry": entries}
    return outcomes.answer(Bundle.model_validate(bundle))


def _history_entry(
    r: FhirRequest, kind: str, row: Any, resource: Resource | None
) -> dict[str, Any]:
    first = row["version"] == 1
    entry: dict[str, Any] = {
        "request": {"method": "POST" if first else "PUT",
                    "url": kind if first else f"{kind}/{row['record_id']}"},
        "response": {"status": "201 Created" if first else "200 OK",
                     "lastModified": row["recorded_at"] if isinstance(row["recorded_at"], str)
                     else row["recorded_at"].isoformat()},
    }  # fmt: skip
    if resource is not None:  # a version entered in error before the record began reads as none
        entry |= {"fullUrl": r.url(f"{kind}/{row['record_id']}"), "resource": resource}
    return entry


def _searchset(r: FhirRequest, kind: str, page: Page, count: int) -> Bundle:
    links = [{"relation": "self", "url": str(r.request.url)}]
    if page.next is not None:
        links.append({"relation": "next", "url": _with(r, _cursor=page.next)})
    entries = [_entry(r, resource) for resource in page.resources]
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "link": links,
                              "entry": entries}  # fmt: skip
    if page.next is None and "_cursor" not in r.params:
        bundle["total"] = len(page.resources)
    return Bundle.model_validate(bundle)


def _entry(r: FhirRequest, resource: Resource) -> dict[str, Any]:
    return {"fullUrl": r.url(f"{resource.get_resource_type()}/{resource.id}"),
            "resource": resource, "search": {"mode": "match"}}  # fmt: skip


def _with(r: FhirRequest, **changes: str) -> str:
    return str(r.request.url.include_query_params(**changes))


def _not_supported(message: str) -> Response:
    return outcomes.refusal("NOT_SUPPORTED", message)
