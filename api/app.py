"""The FastAPI application: GraphQL at /graphql (GraphiQL in a browser) and /health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import GraphQLRouter

from api.context import Context
from api.schema import schema
from infra.bootstrap import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if runtime.settings.run_projector:
            runtime.projector.start()
        try:
            yield
        finally:
            runtime.projector.stop()

    async def get_context(request: Request) -> Context:
        return Context(runtime, request)

    app = FastAPI(title="Stepwise", lifespan=lifespan)
    app.include_router(GraphQLRouter(schema, context_getter=get_context), prefix="/graphql")

    @app.get("/health")
    async def health() -> JSONResponse:
        try:
            positions = await run_in_threadpool(runtime.projector.positions)
            last = await run_in_threadpool(runtime.records.last_position)
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "lastPosition": last, "projections": positions})

    return app
