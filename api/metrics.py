"""/metrics in the Prometheus text format: requests and commands counted as they happen, and
what the runtime holds (api.held_metrics) read when scraped.

With several server processes (`serve --workers N`) the serving command gives them a shared
folder (PROMETHEUS_MULTIPROC_DIR): each process's counts are written there and a scrape,
whichever process answers it, adds them up."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from starlette.concurrency import run_in_threadpool

from api.errors import describe
from api.held_metrics import Held, ReadModels, forget_stopped, shared_samples
from domain.commands import Command
from infra.bootstrap import Runtime

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable
# A `_created` series beside every counter and histogram doubles a scrape for what few read.
disable_created_metrics()
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

GRAPHQL_REQUESTS = Counter(
    "stepwise_graphql_requests",
    "GraphQL requests over HTTP, by operation and outcome (ok, or the first error's "
    "extensions.code)",
    ["operation", "outcome"],
)
GRAPHQL_SECONDS = Histogram(
    "stepwise_graphql_request_duration_seconds",
    "Time to answer a GraphQL request over HTTP, by operation",
    ["operation"],
    buckets=SECONDS,
)
HTTP_REQUESTS = Counter(
    "stepwise_http_requests", "HTTP requests, by route and status", ["route", "status"]
)
HTTP_SECONDS = Histogram(
    "stepwise_http_request_duration_seconds",
    "Time to answer an HTTP request, by route",
    ["route"],
    buckets=SECONDS,
)
COMMANDS = Counter(
    "stepwise_commands",
    "Commands (mutations) run, by command and outcome (ok, or the error code)",
    ["command", "outcome"],
)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


@contextlib.contextmanager
def counted(command: Command) -> Iterator[None]:
    """Counts a command by its outcome: ok, or the code its error is answered with."""
    try:
        yield
    except Exception as error:
        described = describe(error)
        COMMANDS.labels(type(command).__name__, described[0] if described else "INTERNAL").inc()
        raise
    COMMANDS.labels(type(command).__name__, "ok").inc()


@contextlib.asynccontextmanager
async def sampling(runtime: Runtime) -> AsyncIterator[None]:
    """For as long as the app serves: with several server processes, each writes what it holds
    to the shared folder (with one, a scrape reads it)."""
    if not multiprocess_mode():
        yield
        return
    async with shared_samples(runtime):
        yield


def metrics_routes(runtime: Runtime) -> APIRouter:
    own = CollectorRegistry(auto_describe=False)
    own.register(ReadModels(runtime))
    if not multiprocess_mode():
        own.register(Held(runtime))
    router = APIRouter()

    def scrape() -> bytes:
        if multiprocess_mode():
            forget_stopped(Path(os.environ[MULTIPROCESS_DIR]))
            shared = CollectorRegistry()
            multiprocess.MultiProcessCollector(shared)
        else:
            shared = REGISTRY
        return generate_latest(shared) + generate_latest(own)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus text format: no token, no record content, no person ids."""
        return Response(await run_in_threadpool(scrape), media_type=CONTENT_TYPE_LATEST)

    return router
