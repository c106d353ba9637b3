"""How soon a write can be read, at a steady offered rate of writes (open loop).

Each write is a `setSupportHours` mutation; as soon as it answers, the changed plan is read
with `X-Stepwise-Wait-For-Position` set to the position it answered, and checked to show the
new hours. Freshness is the time from the mutation's answer to that read's answer. The
baseline is the same read without the header, sent next on the same connection: what the read
costs when nothing is waited for."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from api.waiting import WAIT_FOR_POSITION
from domain.envelope import Role
from infra.bench.load import (
    BadAnswer,
    Connection,
    Exchange,
    Schedule,
    graphql_request,
    open_loop,
    percentile,
)
from infra.bench.reads import Sample
from infra.bench.report import Figure
from infra.bench.server import Server
from infra.bench.writes import hours_pair, set_hours

RATES = (50, 100, 200)
P99_LIMIT_MS = 50.0  # at 100 writes/s
KEPT_UP = 0.98  # of the offered rate
READ = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek } }"
BASELINE_EVERY = 5  # the read not waiting follows one write in 5: the offered load stays writes


@dataclass
class Timings:
    write: list[float] = field(default_factory=list)
    fresh: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)


def freshness_figures(
    server: Server, data: Sample, seconds: float, progress: Callable[[str], None] = print
) -> list[Figure]:
    figures = []
    for rate in RATES:
        progress(f"freshness: {rate} writes/s for {seconds:g}s")
        timings = Timings()
        exchange = _exchange(server, data, timings)
        schedule = asyncio.run(open_loop(server.host, server.port, rate, seconds, exchange))
        figures += _figures(rate, schedule, timings)
    return figures


def _exchange(server: Server, data: Sample, timings: Timings) -> Exchange:
    host, port, people = server.host, server.port, data.people
    headers = server.headers(Role.MANAGER, data.tenant_id)
    pair = hours_pair()
    writes = [[graphql_request(host, port, set_hours(p, h), headers) for h in pair]
              for p in people]  # fmt: skip
    plain = [graphql_request(host, port, {"query": READ, "variables": {"p": p}}, headers)
             for p in people]  # fmt: skip
    clock = time.perf_counter

    async def exchange(connection: Connection, n: int) -> float:
        person, turn = n % len(people), n // len(people) % 2  # a person's writes alternate
        sent = clock()
        answer = json.loads(await connection.answer(writes[person][turn]))
        answered = clock()
        written = answer["data"]["setSupportHours"]
        wait = headers | {WAIT_FOR_POSITION: str(written["position"])}
        read = {"query": READ, "variables": {"p": people[person]}}
        plan = json.loads(await connection.answer(graphql_request(host, port, read, wait)))
        visible = clock()
        if plan["data"]["supportPlan"]["version"] < written["version"]:
            raise BadAnswer(f"a read waiting for {written} missed the write: {plan}")
        timings.write.append(answered - sent)
        timings.fresh.append(visible - answered)
        if n % BASELINE_EVERY == 0:
            await connection.answer(plain[person])
            timings.plain.append(clock() - visible)
        return visible - sent

    return exchange


def _figures(rate: int, schedule: Schedule, timings: Timings) -> list[Figure]:
    def ms(values: list[float], fraction: float) -> float:
        return percentile(values, fraction) * 1000

    achieved = len(schedule.measured) / schedule.outcome.seconds
    if schedule.outcome.errors:
        print(
            f"FRESHNESS AT {rate} WRITES/S: {schedule.outcome.errors} writes failed or were "
            f"not sent; the first: {schedule.outcome.first_error}",
            file=sys.stderr,
        )
    first, last = _second_p50s(schedule)
    detail = {
        "p50_ms": ms(timings.fresh, 0.5),
        "p99_ms": ms(timings.fresh, 0.99),
        "baseline_p50_ms": ms(timings.plain, 0.5),
        "baseline_p99_ms": ms(timings.plain, 0.99),
        "write_p50_ms": ms(timings.write, 0.5),
        "write_p99_ms": ms(timings.write, 0.99),
        "achieved_per_s": achieved,
        "first_second_p50_ms": first * 1000,
        "last_second_p50_ms": last * 1000,
        "most_started_late_ms": max(schedule.started_late, default=0.0) * 1000,
        "failed": float(schedule.outcome.errors),
    }
    if rate == 100:
        detail["p99_limit_ms"] = P99_LIMIT_MS
    return [
        Figure("freshness", f"write -> visible p99 at {rate} writes/s", detail["p99_ms"], "ms",
               "the same read, not waiting, p99", detail["baseline_p99_ms"], lower_is_better=True,
               detail=detail),
        Figure("freshness", f"writes/s answered and read back, at {rate} offered",
               achieved, "writes/s", "offered", float(rate), KEPT_UP,
               detail={key: detail[key] for key in ("first_second_p50_ms",
                       "last_second_p50_ms", "most_started_late_ms", "failed")}),
    ]  # fmt: skip


def _second_p50s(schedule: Schedule) -> tuple[float, float]:
    """The median time from due to visible in the first and in the last second: a backlog
    shows as the last well above the first."""
    end = max(schedule.due, default=0.0)
    runs = list(zip(schedule.due, schedule.started_late, schedule.measured, strict=True))
    first = [late + m for d, late, m in runs if d < 1.0]
    last = [late + m for d, late, m in runs if d >= end - 1.0]
    return statistics.median(first or [0.0]), statistics.median(last or [0.0])
