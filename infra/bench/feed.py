"""The change feed's cost does not grow with the log: a page of `events` for a provider with no
events at all, and for the busiest provider's integration client, each beside `{__typename}`,
one request at a time (a poller's pattern), on the large log."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable

from domain.envelope import Role
from infra.bench.load import Outcome, closed_loop, graphql_request
from infra.bench.reads import Sample
from infra.bench.report import Figure
from infra.bench.server import Server

P99_LIMIT_MS = 50.0
PAGE = "{ events(first: 50) { edges { node { position } } pageInfo { endCursor hasNextPage } } }"
TYPENAME = "{ __typename }"
SILENT_PROVIDER = "bench-provider-with-no-events"


def feed_figures(server: Server, data: Sample, seconds: float, rounds: int,
                 progress: Callable[[str], None]) -> list[Figure]:  # fmt: skip
    callers = {
        "a provider with no events": server.headers(
            Role.INTEGRATION_CLIENT, SILENT_PROVIDER, services=["none"]
        ),
        f"the busiest provider ({data.tenant_id})": server.headers(
            Role.INTEGRATION_CLIENT, data.tenant_id, services=data.services
        ),
    }
    requests = {name: graphql_request(server.host, server.port, {"query": PAGE}, headers)
                for name, headers in callers.items()}  # fmt: skip
    typename = graphql_request(server.host, server.port, {"query": TYPENAME},
                               next(iter(callers.values())))  # fmt: skip
    measured: dict[str, list[Outcome]] = {name: [] for name in [TYPENAME, *requests]}
    for round_ in range(rounds):
        for name, request in [(TYPENAME, typename), *requests.items()]:
            progress(f"feed, round {round_ + 1}/{rounds}: events(first: 50), {name}")
            measured[name].append(asyncio.run(closed_loop(server.host, server.port, [[request]],
                                                          seconds)))  # fmt: skip
    base = measured.pop(TYPENAME)
    return [_figure(name, outcomes, base) for name, outcomes in measured.items()]


def _figure(name: str, outcomes: list[Outcome], base: list[Outcome]) -> Figure:
    def p(outcomes: list[Outcome], fraction: float) -> float:
        answered = [o.percentile_ms(fraction) for o in outcomes if o.latencies]
        return statistics.median(answered) if answered else float("nan")

    return Figure(
        "reads", f"events(first: 50) for {name}, p50, one request at a time",
        p(outcomes, 0.5), "ms", "{__typename}, p50", p(base, 0.5), lower_is_better=True,
        detail={"p99_ms": p(outcomes, 0.99), "p99_limit_ms": P99_LIMIT_MS,
                "baseline_p99_ms": p(base, 0.99), "failed": sum(o.errors for o in outcomes),
                "baseline_failed": sum(o.errors for o in base)},
    )  # fmt: skip
