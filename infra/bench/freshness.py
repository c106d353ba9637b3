"""How soon a write can be read, at a steady offered rate of writes (open loop).

Each write is a `setSupportHours` mutation; as soon as it answers, the changed plan is read
with `X-Stepwise-Wait-For-Position` set to the position it answered, and checked to show the
new hours. Freshness is the time from when the write was due (the open loop's schedule, so
time spent queued in the client or the server counts) to that read's answer; the time from the
write's answer is given beside it. The baseline is the same read without the header, sent next
on the same connection: what the read costs when nothing is waited for. Each rate runs in
rounds; figures are the rounds' medians, and a failed write in any round fails the target.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
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

RATES = (50, 100, 150, 200)
P99_LIMIT_MS = 50.0  # at 100 writes/s
KEPT_UP = 0.99  # of the offered rate, with nothing failed: no backlog
READ = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek } }"
BASELINE_EVERY = 5  # the read not waiting follows one write in 5: the offered load stays writes


DISTINCT_HOURS = 997  # a person's writes in flight at once each set hours the others do not
HOURS_STEP = 0.001


@dataclass
class Timings:
    write: list[float] = field(default_factory=list)
    fresh: list[float] = field(default_factory=list)  # from the write's answer
    plain: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Round:
    schedule: Schedule
    timings: Timings

    @property
    def from_due(self) -> list[float]:
        """Each exchange's time from when it was due to the read showing the write."""
        s = self.schedule
        return [late + taken for late, taken in zip(s.started_late, s.measured, strict=True)]

    @property
    def achieved(self) -> float:
        return len(self.schedule.measured) / self.schedule.outcome.seconds


def freshness_figures(
    server: Server, data: Sample, seconds: float, rounds: int = 3,
    progress: Callable[[str], None] = print,
) -> list[Figure]:  # fmt: skip
    figures, writes = [], Counter[int]()  # each person's writes so far, across rounds
    for rate in RATES:
        measured = []
        for n in range(1, rounds + 1):
            progress(f"freshness: {rate} writes/s for {seconds:g}s, round {n}/{rounds}")
            timings = Timings()
            exchange = _exchange(server, data, timings, writes)
            schedule = asyncio.run(open_loop(server.host, server.port, rate, seconds, exchange))
            measured.append(Round(schedule, timings))
        figures += _figures(rate, measured)
    return figures


def _exchange(server: Server, data: Sample, timings: Timings, writes: Counter[int]) -> Exchange:
    host, port, people = server.host, server.port, data.people
    headers = server.headers(Role.MANAGER, data.tenant_id)
    base = hours_pair()[0]
    plain = [graphql_request(host, port, {"query": READ, "variables": {"p": p}}, headers)
             for p in people]  # fmt: skip
    clock = time.perf_counter

    async def exchange(connection: Connection, n: int) -> float:
        person = n % len(people)
        # Hours no earlier write of the run set: with several of a person's writes in flight,
        # whichever lands last still changes something (setting the hours they have is refused).
        hours = base + HOURS_STEP * (writes[person] % DISTINCT_HOURS)
        writes[person] += 1
        write = graphql_request(host, port, set_hours(people[person], hours), headers)
        sent = clock()
        answer = json.loads(await connection.answer(write))
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


def _figures(rate: int, rounds: list[Round]) -> list[Figure]:
    def ms(values: list[float], fraction: float) -> float:
        return percentile(values, fraction) * 1000

    def median(values: list[float]) -> float:
        return statistics.median(values)

    failed = sum(r.schedule.outcome.errors for r in rounds)
    for n, r in enumerate(rounds, 1):
        if r.schedule.outcome.errors:
            print(
                f"FRESHNESS AT {rate} WRITES/S, ROUND {n}: {r.schedule.outcome.errors} writes "
                f"failed or were not sent; the first: {r.schedule.outcome.first_error}",
                file=sys.stderr,
            )
    seconds = [_second_p50s(r.schedule) for r in rounds]
    detail = {
        "p50_ms": median([ms(r.from_due, 0.5) for r in rounds]),
        "p99_ms": median([ms(r.from_due, 0.99) for r in rounds]),
        "p99_worst_round_ms": max(ms(r.from_due, 0.99) for r in rounds),
        "after_answer_p99_ms": median([ms(r.timings.fresh, 0.99) for r in rounds]),
        "baseline_p50_ms": median([ms(r.timings.plain, 0.5) for r in rounds]),
        "baseline_p99_ms": median([ms(r.timings.plain, 0.99) for r in rounds]),
        "write_p50_ms": median([ms(r.timings.write, 0.5) for r in rounds]),
        "write_p99_ms": median([ms(r.timings.write, 0.99) for r in rounds]),
        "achieved_per_s": median([r.achieved for r in rounds]),
        "first_second_p50_ms": median([first * 1000 for first, _ in seconds]),
        "last_second_p50_ms": median([last * 1000 for _, last in seconds]),
        "most_started_late_ms": max(max(r.schedule.started_late, default=0.0) for r in rounds)
        * 1000,
        "rounds": float(len(rounds)),
        "failed": float(failed),
    }
    if rate == 100:
        detail["p99_limit_ms"] = P99_LIMIT_MS
    return [
        Figure("freshness", f"due -> visible p99 at {rate} writes/s", detail["p99_ms"], "ms",
               "the same read, not waiting, p99", detail["baseline_p99_ms"], lower_is_better=True,
               detail=detail),
        Figure("freshness", f"writes/s answered and read back, at {rate} offered",
               detail["achieved_per_s"], "writes/s", "offered", float(rate), KEPT_UP,
               detail={key: detail[key] for key in ("first_second_p50_ms",
                       "last_second_p50_ms", "most_started_late_ms", "rounds", "failed")}),
    ]  # fmt: skip


def _second_p50s(schedule: Schedule) -> tuple[float, float]:
    """The median time from due to visible in the first and in the last second: a backlog
    shows as the last well above the first."""
    end = max(schedule.due, default=0.0)
    runs = list(zip(schedule.due, schedule.started_late, schedule.measured, strict=True))
    first = [late + m for d, late, m in runs if d < 1.0]
    last = [late + m for d, late, m in runs if d >= end - 1.0]
    return statistics.median(first or [0.0]), statistics.median(last or [0.0])
