"""Evidence packs over HTTP, as HTML or PDF: `GET /packs/person/{id}` for a token whose role
reads every kind of record about a person, within its provider and services and (for an
integration client) the person's consent to share; `GET /packs/service/{id}` for one that reads
the governance dashboard of that service. The access log records who asked and the purpose they
gave (X-Stepwise-Purpose)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.access import readers_of, refusal
from api.auth import Authenticator, IdentityProviderUnavailable, Unauthenticated, caller_of
from api.common import record_id
from api.context import PURPOSE, Context
from api.errors import describe
from api.packs.person import Window
from api.packs.produce import (
    READ_MODELS,
    SERVICE_READ_MODELS,
    instant_param,
    pack_query,
    page,
    service_page,
    service_query,
    window,
)
from api.packs.render import pdf
from api.slices.governance import READERS as GOVERNANCE_READERS
from api.waiting import ReadModelWatch
from domain.catalogue import DECLARED
from domain.envelope import Role
from domain.errors import RulesViolated, Violation
from infra.bootstrap import Runtime

FIELD, SERVICE_FIELD = "pack/person", "pack/service"
Maker = Callable[[Context], Awaitable[Response]]
# Whoever reads a pack reads every kind of record about the person in it.
READERS = readers_of(*(kind.aggregate for kind in DECLARED if kind.person is not None))
STATUS = {"VALIDATION_FAILED": 400, "FORBIDDEN": 403, "NOT_FOUND": 404, "BUSY": 429,
          "UNAVAILABLE": 503, "NOT_READY": 503}  # fmt: skip


def pack_routes(runtime: Runtime, watch: ReadModelWatch, authenticator: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/packs", tags=["Evidence packs"])

    async def answering(request: Request, make: Maker) -> Response:
        try:
            caller = await caller_of(authenticator, request.headers)
            return await make(Context(runtime, watch, request, caller))
        except Unauthenticated as error:
            return _error("UNAUTHENTICATED", str(error), 401, {"WWW-Authenticate": "Bearer"})
        except IdentityProviderUnavailable as error:
            return _error("UNAVAILABLE", str(error), 503, {"Retry-After": "1"})
        except Exception as error:  # every refusal leaves with a code, never a trace
            described = describe(error)
            if described is None:
                raise
            code, message, extra = described
            return _error(code, message, STATUS.get(code, 400), extensions=extra)

    @router.get("/person/{person_id}", summary="A person's evidence pack, HTML or PDF")
    async def person_pack(request: Request, person_id: str) -> Response:
        return await answering(request, lambda c: _person(runtime, c, request, person_id))

    @router.get("/service/{service_id}", summary="A service's evidence pack, HTML or PDF")
    async def service_pack(request: Request, service_id: str) -> Response:
        return await answering(request, lambda c: _service(runtime, c, request, service_id))

    return router


async def _person(runtime: Runtime, context: Context, request: Request,
                  person_id: str) -> Response:  # fmt: skip
    kind, asked = _asked(runtime, request)
    person = record_id(person_id, "id")
    _may_read(context, FIELD, READERS, person)
    pack = await context.read_person(FIELD, person, pack_query(runtime, person, asked),
                                     *READ_MODELS)  # fmt: skip
    if pack is None:
        return _error("NOT_FOUND", f"no person {person} that you may read", 404)
    html = await run_in_threadpool(page, runtime, pack, _produced_by(context))
    return await _answer(html, kind, f"pack-{person}")


async def _service(runtime: Runtime, context: Context, request: Request,
                   service_id: str) -> Response:  # fmt: skip
    kind, asked = _asked(runtime, request)
    _may_read(context, SERVICE_FIELD, GOVERNANCE_READERS, None)
    service = context.reached_service(SERVICE_FIELD, service_id)
    tenant = context.caller().tenant_id
    pack = await context.read(service_query(runtime, tenant, service, asked),
                              *SERVICE_READ_MODELS)  # fmt: skip
    listed = [(row["person_id"], row["record_id"]) for part in pack.areas
              for found in part.listed.values() for row in found.rows]  # fmt: skip
    context.log_reads(SERVICE_FIELD, tenant, listed)
    html = await run_in_threadpool(service_page, runtime, pack, _produced_by(context))
    return await _answer(html, kind, f"pack-{service}")


def _asked(runtime: Runtime, request: Request) -> tuple[str, Window]:
    """The format and window a request asks for; refused with every rule it breaks."""
    params = request.query_params
    unknown = sorted(set(params) - {"from", "to", "asKnownAt", "format"})
    kind = params.get("format", "html")
    violations = [Violation("input.pack.parameter", name, "not a parameter: it takes from, to, "
                            "asKnownAt and format") for name in unknown]  # fmt: skip
    if kind not in ("html", "pdf"):
        violations.append(Violation("input.pack.format", "format", "html or pdf"))
    if violations:
        raise RulesViolated(violations)
    return kind, window(runtime, _day(params.get("from"), "from"), _day(params.get("to"), "to"),
                        instant_param(params.get("asKnownAt"), "asKnownAt"))  # fmt: skip


def _may_read(context: Context, field: str, readers: frozenset[Role],
              person: str | None) -> None:  # fmt: skip
    refused = refusal(context.caller(), field, readers, datetime.now(UTC))
    if refused is not None:
        context.log_refused(field, str(refused), person, person)
        raise refused
    context.check_purpose()


def _produced_by(context: Context) -> str:
    actor = context.caller().actor
    by = f"{actor.name} ({actor.role.value.replace('_', ' ')})"
    purpose = context.headers.get(PURPOSE)
    return f"{by}, for {purpose}" if purpose else by


async def _answer(html: str, kind: str, name: str) -> Response:
    named = {"Content-Disposition": f'inline; filename="{name}.{kind}"'}
    if kind == "pdf":
        document = await run_in_threadpool(pdf, html)
        return Response(document, media_type="application/pdf", headers=named)
    return Response(html, media_type="text/html; charset=utf-8", headers=named)


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RulesViolated(
            [Violation("input.time.invalid", name, "a day, e.g. 2026-05-14")]
        ) from None


def _error(code: str, message: str, status: int, headers: dict[str, str] | None = None,
           extensions: dict[str, Any] | None = None) -> Response:  # fmt: skip
    body = {"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers=headers)  # fmt: skip
