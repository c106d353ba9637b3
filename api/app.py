"""The FastAPI application: GraphQL at /graphql (GraphiQL in a browser, its assets served from
/graphiql/assets), read-only FHIR R4 at /fhir, evidence packs at /packs, /health (liveness)
and /ready (readiness)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from cross_web import HTTPException  # what strawberry raises for a request that is not GraphQL
from fastapi import FastAPI, Request, Response, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from api.auth import Authenticator, IdentityProviderUnavailable, Unauthenticated
from api.context import Context
from api.errors import without_data_if_not_run
from api.fhir.routes import fhir_routes
from api.graphiql.page import ASSETS_ROUTE, graphiql_assets, graphiql_page
from api.limits import Limits
from api.metrics import metrics_routes, sampling
from api.observed import Observed, OperationNames, note_outcome, outcome_of
from api.packs.routes import pack_routes
from api.request_body import malformed
from api.schema import build_schema
from api.waiting import ReadModelWatch
from infra.bootstrap import Runtime
from infra.cli.support import runtime_from
from infra.settings import Settings
from infra.tracing import trace

# Young objects are collected after this many allocations (Python's default is 700): a request
# makes thousands, and each young collection also walks what the last ones promoted.
YOUNG_COLLECTION_THRESHOLD = 20_000


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws speaks in text frames: the bytes our JSON encoder gives HTTP
    responses are sent as text."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as gone:
            raise WebSocketDisconnected from gone


class GraphQLEndpoint(GraphQLRouter[Context, None]):
    websocket_adapter_class = TextFrames

    def __init__(self, *args: Any, authenticator: Authenticator, jwks: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.authenticator, self.jwks = authenticator, jwks

    async def on_ws_connect(self, context: Context) -> None:
        """A subscription's socket is signed in by its `connection_init`, whose payload carries
        `Authorization: Bearer <token>` (browsers cannot set headers on a socket), or by the
        handshake's own header."""
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        header = header if isinstance(header, str) else context.headers.get("authorization")
        try:
            if self.jwks:  # may fetch the provider's keys
                caller = await run_in_threadpool(self.authenticator.caller, header)
            else:
                caller = self.authenticator.caller(header)
        except (Unauthenticated, IdentityProviderUnavailable) as refused:
            code = "UNAUTHENTICATED" if isinstance(refused, Unauthenticated) else "UNAVAILABLE"
            raise ConnectionRejectionError({"code": code, "message": str(refused)}) from None
        context.sign_in(caller)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from the app's own assets: strawberry's page loads them from a CDN."""
        return graphiql_page(request.scope.get("root_path", ""))

    def encode_json(self, data: object) -> bytes:
        # A service-wide list of hundreds of records took json.dumps a few milliseconds.
        return orjson.dumps(data)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """A request that is not GraphQL at all (a body that is not JSON, no query, a batch,
        a mutation sent by GET) is answered as a GraphQL error with a code, like any other:
        strawberry would answer it in plain text."""
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        if (reason := await malformed(request)) is not None:
            note_outcome(request, "BAD_REQUEST")
            return bad_request(reason, 400)
        try:
            return await super().run(request, context, root_value)
        except HTTPException as refused:
            note_outcome(request, "BAD_REQUEST")
            return bad_request(refused.reason, refused.status_code)

    async def process_result(self, request: Any, result: Any) -> Any:
        note_outcome(request, outcome_of(result.errors))  # counted in /metrics, logged
        return without_data_if_not_run(result, await super().process_result(request, result))


def bad_request(reason: str, status: int) -> Response:
    error = {"message": reason, "extensions": {"code": "BAD_REQUEST"}}
    return Response(orjson.dumps({"errors": [error]}), status_code=status,
                    media_type="application/json")  # fmt: skip


def create_app_from_environment() -> FastAPI:
    """The app as each `stepwise serve` process builds it: settings from the environment."""
    return create_app(runtime_from(Settings()), owns_process=True)


def create_app(runtime: Runtime, *, owns_process: bool = False) -> FastAPI:
    """`owns_process`: the app is all its process does, so it closes the runtime when it stops
    and tunes the process's garbage collection for serving."""
    watch = ReadModelWatch(runtime, runtime.settings.wait_for_position_refresh_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if runtime.settings.run_projector:
            runtime.keep_read_models()
        runtime.access_log.start()
        await watch.start()
        if owns_process:
            settle_garbage_collection()
        try:
            async with sampling(runtime):
                yield
        finally:
            await watch.stop()
            runtime.deliveries.stop()
            runtime.projector.stop()
            await run_in_threadpool(runtime.access_log.stop)
            if owns_process:
                await run_in_threadpool(runtime.close)

    authenticator = Authenticator(runtime.settings)

    async def get_context(request: HTTPConnection) -> Context:
        if isinstance(request, WebSocket):  # signed in by its connection_init (on_ws_connect)
            return Context(runtime, watch, request, caller=None)
        if request.scope["method"] == "GET" and "query" not in request.query_params:
            return Context(runtime, watch, request, caller=None)  # the GraphiQL page
        header = request.headers.get("authorization")
        if runtime.settings.auth_jwks_url:  # may fetch the provider's keys
            caller = await run_in_threadpool(authenticator.caller, header)
        else:
            caller = authenticator.caller(header)
        return Context(runtime, watch, request, caller)

    app = FastAPI(title="Stepwise", lifespan=lifespan)

    @app.exception_handler(IdentityProviderUnavailable)
    async def provider_unavailable(
        request: Request, error: IdentityProviderUnavailable
    ) -> JSONResponse:
        note_outcome(request, "UNAVAILABLE")
        extensions = {"code": "UNAVAILABLE", "retryable": True}
        body = {"errors": [{"message": str(error), "extensions": extensions}]}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, error: Unauthenticated) -> JSONResponse:
        note_outcome(request, "UNAUTHENTICATED")
        body = {"errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}]}
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    settings = runtime.settings
    limits = Limits(settings.max_mutations_per_request, settings.max_root_fields,
                    settings.max_aliases, settings.max_query_depth,
                    settings.max_fields)  # fmt: skip
    schema = build_schema(limits)
    app.include_router(
        GraphQLEndpoint(
            schema,
            context_getter=get_context,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            authenticator=authenticator,
            jwks=bool(runtime.settings.auth_jwks_url),
        ),
        prefix="/graphql",
    )
    app.mount(ASSETS_ROUTE, graphiql_assets(), name="graphiql-assets")
    app.include_router(fhir_routes(runtime, watch, authenticator))
    app.include_router(pack_routes(runtime, watch, authenticator))
    if settings.metrics:
        app.include_router(metrics_routes(runtime))
    operations = OperationNames(settings.metrics_max_operations)
    app.add_middleware(Observed, request_log=settings.http_access_log, operations=operations)
    trace(app, settings)

    @app.get("/health")
    async def health() -> JSONResponse:
        """Liveness: the process answers, at once and without asking the database."""
        return JSONResponse({"status": "ok"})

    @app.get("/ready")
    async def ready() -> JSONResponse:
        """Readiness: ready when the database answers and every read model is live; otherwise
        503, saying which read model is parked where and why (or that the database is down)."""
        try:
            statuses = await run_in_threadpool(runtime.projector.statuses)
            last = await run_in_threadpool(runtime.records.last_position)
        except Exception:
            return JSONResponse({"status": "not_ready", "database": "down"}, status_code=503)
        models: dict[str, Any] = {}
        for model in runtime.projector.models:
            status = statuses[model.name]
            state = "outdated" if status.version != model.version else status.state
            models[model.name] = {"position": status.position, "behind": last - status.position,
                                  "state": state}  # fmt: skip
            if status.parked:
                models[model.name] |= {
                    "error": status.error,
                    "errorPosition": status.error_position,
                }
        live = all(entry["state"] == "live" for entry in models.values())
        body = {"status": "ready" if live else "not_ready", "database": "up",
                "lastPosition": last, "readModels": models}  # fmt: skip
        return JSONResponse(body, status_code=200 if live else 503)

    return app


def settle_garbage_collection() -> None:
    """What start-up built (the schema, the modules, the pools) lives as long as the process:
    frozen, full collections under load no longer walk it, which kept pausing requests."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)
