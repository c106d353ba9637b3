"""Governance at scale: the dashboard of one service of 1,000 simulated people and of one of
10,000 (a month of history each, everyone in the same service), each in a schema of its own,
read over HTTP one request at a time: as the records stand now, and at a past moment (the
simulated history is recorded minutes before it is read, so as recorded now). The larger
service's figure is compared with the smaller's, measured in the same run; a refused request
is counted beside the figure, never timed."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domain.envelope import Role
from infra.bench.load import BadAnswer, Connection, graphql_request, percentile
from infra.bench.report import Figure
from infra.bench.server import Server, serving, with_secret
from infra.bench.staff import join_bench_staff
from infra.bootstrap import build
from infra.settings import Settings
from infra.simulate import simulate
from infra.simulate.story import TENANT
from infra.simulate.words import SERVICES

PEOPLE = (1_000, 10_000)
MONTHS = 1
SAMPLES = 30
TARGET = 1.5  # the larger service's p99 within this of the smaller's
P99_LIMIT_MS = 100.0
SERVICE = SERVICES[0][0]
QUERY = """query($s: ID!, $on: DateTime, $known: DateTime) {
  governance(serviceId: $s, asOf: $on, asKnownAt: $known) {
    figures { measure count outOf byTeam { teamId count } byMonth { month count } } } }"""


@dataclass
class Reads:
    timings: list[float] = field(default_factory=list)
    refused: int = 0
    why_refused: list[str] = field(default_factory=list)
    marks: int = 0  # the figures' total, to show the reads counted something

    def ms(self, fraction: float) -> float:
        return percentile(self.timings, fraction) * 1000


def write_service(settings: Settings, people: int, seed: int,
                  progress: Callable[[int], None]) -> int:  # fmt: skip
    """Simulates the people, all in one service, and builds the read models; returns how many
    events were written."""
    runtime = build(settings)
    try:
        written = simulate(runtime, people=people, months=MONTHS, seed=seed, services=1,
                           progress=progress).events  # fmt: skip
        join_bench_staff(runtime.records, TENANT)
        runtime.projector.catch_up(progress)  # the log position reached, as it goes
        return written
    finally:
        runtime.close()


def governance_figures(
    services: dict[int, Settings], say: Callable[[str], None], samples: int = SAMPLES
) -> list[Figure]:
    """The dashboard's p99 for the larger service against the smaller's, now and at a past
    moment; `say` is told why any request was refused."""
    measured = {people: _measure(settings, samples) for people, settings in services.items()}
    for people, reads in measured.items():
        for why in sorted({why for read in reads for why in read.why_refused}):
            say(f"governance, {people:,} people, refused: {why}")
    (small, (small_now, small_then)), (large, (large_now, large_then)) = sorted(measured.items())
    figures = []
    past = "at a past moment (asOf), as recorded now"
    for when, big, little in (("now", large_now, small_now), (past, large_then, small_then)):
        figures.append(Figure(
            "governance", f"governance p99 {when}, a service of {large:,} people",
            big.ms(0.99), "ms", f"the same, a service of {small:,} people", little.ms(0.99),
            TARGET, lower_is_better=True,
            detail={"p50_ms": big.ms(0.5), "p99_ms": big.ms(0.99), "refused": big.refused,
                    "baseline_p50_ms": little.ms(0.5), "baseline_p99_ms": little.ms(0.99),
                    "baseline_refused": little.refused, "p99_limit_ms": P99_LIMIT_MS,
                    "counted": big.marks, "baseline_counted": little.marks},
        ))  # fmt: skip
    return figures


def _measure(settings: Settings, samples: int) -> tuple[Reads, Reads]:
    with serving(with_secret(settings)) as server:
        return asyncio.run(_read_in_turn(server, samples))


async def _read_in_turn(server: Server, samples: int) -> tuple[Reads, Reads]:
    headers = server.headers(Role.MANAGER, TENANT)
    pick = random.Random(7)
    now, then = Reads(), Reads()
    month_ago = datetime.now(UTC) - timedelta(days=30)
    connection = await Connection.open(server.host, server.port)
    try:
        for n in range(samples + 3):  # the first few warm the server's caches: not timed
            # (the simulation was recorded minutes ago: an earlier asKnownAt would know nothing)
            moment = month_ago + (datetime.now(UTC) - month_ago) * pick.random()
            past = {"on": moment.isoformat()}
            for reads, variables in ((now, {}), (then, past)):
                body = {"query": QUERY, "variables": {"s": SERVICE, **variables}}
                request = graphql_request(server.host, server.port, body, headers)
                started = time.perf_counter()
                try:
                    answer = await connection.answer(request)
                except BadAnswer as refusal:
                    reads.refused += 1
                    reads.why_refused.append(str(refusal))
                    continue
                if n >= 3:
                    reads.timings.append(time.perf_counter() - started)
                    figures = json.loads(answer)["data"]["governance"]["figures"]
                    reads.marks = sum(figure["count"] for figure in figures)
    finally:
        await connection.close()
    return now, then
