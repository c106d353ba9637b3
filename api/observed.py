"""Every HTTP request observed once, from outside everything else: its correlation id decided
and echoed in `X-Correlation-Id`, its time and outcome counted in /metrics, and one log line
written for it.

The GraphQL endpoint notes which operation a request ran and the code it was answered with
(`note_operation`, `note_outcome`); the middleware reads them when the response is sent."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import orjson
from graphql import DocumentNode, FieldNode, OperationDefinitionNode
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from api.correlation import CORRELATION_ID, STATE_KEY, Correlation, correlation_from
from api.metrics import GRAPHQL_REQUESTS, GRAPHQL_SECONDS, HTTP_REQUESTS, HTTP_SECONDS

log = logging.getLogger("stepwise.http")

GRAPHQL = "/graphql"
NONE = "none"  # no operation ran: the request was refused before its document was run
OTHER = "other"  # named operations beyond the most counted separately
ANONYMOUS = "anonymous"
MOST_ROOT_FIELDS_IN_LABEL = 3
MAX_LOGGED_PATH = 300
INTERNAL = {"errors": [{"message": "unexpected error; it has been logged",
                        "extensions": {"code": "INTERNAL"}}]}  # fmt: skip


def note_outcome(connection: HTTPConnection, code: str) -> None:
    connection.scope.setdefault("state", {})["outcome"] = code


def outcome_of(errors: list[Any] | None) -> str:
    """ok, or the code of the first error (every error leaves with one: api.errors)."""
    if not errors:
        return "ok"
    extensions = getattr(errors[0], "extensions", None) or {}
    return str(extensions.get("code", "INTERNAL"))


def operation_label(document: DocumentNode | None, name: str | None) -> str:
    """The operation's name; an anonymous one by its root fields, e.g. `{person,supportPlan}`.
    Only names from a document that passed validation, so only what the schema allows."""
    operations = [d for d in (document.definitions if document else ())
                  if isinstance(d, OperationDefinitionNode)]  # fmt: skip
    if name:
        operations = [o for o in operations if o.name is not None and o.name.value == name]
    if len(operations) != 1:
        return NONE
    (operation,) = operations
    if operation.name is not None:
        return operation.name.value
    fields = sorted({s.name.value for s in operation.selection_set.selections
                     if isinstance(s, FieldNode)})  # fmt: skip
    if not fields or len(fields) > MOST_ROOT_FIELDS_IN_LABEL:
        return ANONYMOUS
    return "{" + ",".join(fields) + "}"


class OperationLabels(SchemaExtension):
    """Notes the operation a request runs (once its document is valid) for the middleware."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if isinstance(request, HTTPConnection) and request.scope["type"] == "http":
            label = operation_label(context.graphql_document, context.operation_name)
            request.scope.setdefault("state", {})["operation"] = label
        yield


class OperationNames:
    """Operation names come from clients: the first `most` distinct ones are counted by name
    (in each server process), any others together as `other`."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str) -> str:
        if name in self._seen or name == NONE:
            return name
        with self._lock:
            if len(self._seen) >= self._most:
                return OTHER
            self._seen.add(name)
        return name


class Observed:
    """The outermost middleware: sees every request and every response, errors included."""

    def __init__(self, app: ASGIApp, *, request_log: bool, operations: OperationNames) -> None:
        self.app, self.request_log, self.operations = app, request_log, operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        correlation = correlation_from(Headers(scope=scope))
        scope.setdefault("state", {})[STATE_KEY] = correlation
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[CORRELATION_ID] = correlation.id
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            log.exception("unexpected error", extra={"correlation_id": correlation.id})
            if status:
                raise  # the response was under way: nothing else can be said
            status = 500
            note_outcome(HTTPConnection(scope), "INTERNAL")
            await _internal_error(sending)
        finally:
            self._observe(scope, status or 500, time.perf_counter() - started, correlation)

    def _observe(self, scope: Scope, status: int, seconds: float, correlation: Correlation) -> None:
        template = route_template(scope)
        HTTP_REQUESTS.labels(template, str(status)).inc()
        HTTP_SECONDS.labels(template).observe(seconds)
        state = scope.get("state", {})
        outcome = state.get("outcome") or ("ok" if status < 400 else f"HTTP_{status}")
        operation = None
        if template == GRAPHQL and "outcome" in state:  # GraphiQL's page is no request
            operation = self.operations.label(state.get("operation", NONE))
            GRAPHQL_REQUESTS.labels(operation, outcome).inc()
            GRAPHQL_SECONDS.labels(operation).observe(seconds)
        if self.request_log:
            self._log(scope, template, status, seconds, correlation, operation, outcome)

    def _log(self, scope: Scope, route: str, status: int, seconds: float,
             correlation: Correlation, operation: str | None, outcome: str) -> None:  # fmt: skip
        path = "".join(c if c.isprintable() else "\ufffd" for c in scope["path"])
        milliseconds = round(seconds * 1000, 1)
        fields = {"correlation_id": correlation.id, "method": scope["method"],
                  "path": path[:MAX_LOGGED_PATH], "route": route, "status": status,
                  "duration_ms": milliseconds, "outcome": outcome}  # fmt: skip
        if operation is not None:
            fields["operation"] = operation
        if correlation.refused is not None:
            fields["correlation_id_refused"] = correlation.refused.rule
        log.info("%s %s %d %.1fms correlation_id=%s", fields["method"], fields["path"], status,
                 milliseconds, correlation.id, extra=fields)  # fmt: skip


def route_template(scope: Scope) -> str:
    """The route a request matched, as declared (`/fhir/{kind}/{resource_id}`): never its ids."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "unmatched"
    # A route declared as its router's prefix alone (GraphQL's) has no path of its own, and no
    # parameters: the request's path is the prefix.
    return path if path else scope["path"]


async def _internal_error(send: Send) -> None:
    body = orjson.dumps(INTERNAL)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
