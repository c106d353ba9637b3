"""Write throughput at 1, 4 and 16 clients: `setSupportHours` over GraphQL, beside the same
command executed in-process, beside the library saving one small event per transaction (the
floor no command can go below). Each client writes to a person of its own, so none conflict."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.envelope import Actor, CommandContext, Role
from domain.support_plan_commands import SetSupportHours
from infra.bench.load import Outcome, closed_loop, graphql_request
from infra.bench.reads import Sample
from infra.bench.report import Figure
from infra.bench.server import Server
from infra.bench.staff import join_bench_staff
from infra.bootstrap import Runtime
from infra.settings import Settings

CLIENTS = (1, 4, 16)
# At least these fractions: over GraphQL of the same command in process, by clients; in
# process of the library's own save, by threads.
OVER_HTTP_TARGETS = {1: 0.5, 4: 0.7}
IN_PROCESS_TARGETS = {1: 0.5}
MUTATION = """mutation($input: SetSupportHoursInput!) { setSupportHours(input: $input) {
  recordId version position } }"""
WRITER = Actor("bench-manager", "Bench caller", Role.MANAGER)
_phases = itertools.count()


def hours_pair() -> tuple[float, float]:
    """Two hours values no earlier run used, so a person's first write of a run changes their
    hours (setting the hours they have is refused), and alternating them always does."""
    base = 1 + (next(_phases) % 300) * 0.5
    return base + 0.125, base + 0.375


def set_hours(person_id: str, hours: float) -> dict[str, Any]:
    command = {"personId": person_id, "hoursPerWeek": hours, "reason": "bench: weekly review"}
    return {"query": MUTATION, "variables": {"input": command}}


class Tally(Aggregate):
    """The smallest record: one event of one field per change."""

    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


class BenchFloor(Application[uuid.UUID]):
    """A throwaway application on the same database, in tables of its own."""


def floor_application(settings: Settings) -> BenchFloor:
    env = settings.eventsourcing_env()
    env.pop("APPLICATION_RECORDER_TOPIC", None)  # the library's own recorder
    return BenchFloor(env)


def write_figures(
    server: Server, runtime: Runtime, data: Sample, seconds: float, rounds: int,
    progress: Callable[[str], None] = print,
) -> list[Figure]:  # fmt: skip
    if len(data.people) < max(CLIENTS):
        raise RuntimeError(f"{max(CLIENTS)} people with plans are needed, found {len(data.people)}")
    join_bench_staff(runtime.records, data.tenant_id)
    floor = floor_application(runtime.settings)
    measured: dict[tuple[str, int], list[Outcome]] = {}
    try:
        for round_ in range(rounds):
            for clients in CLIENTS:
                progress(f"writes, round {round_ + 1}/{rounds}: {clients} clients")
                people = data.people[:clients]
                runs = {
                    "http": _over_http(server, data.tenant_id, people, seconds),
                    "execute": _in_process(runtime, data.tenant_id, people, seconds),
                    "floor": _floor(floor, clients, seconds),
                }
                for kind, outcome in runs.items():
                    outcome.check(f"writes: {kind}, {clients} clients")
                    measured.setdefault((kind, clients), []).append(outcome)
    finally:
        floor.close()
    return [figure for clients in CLIENTS for figure in _figures(measured, clients)]


def _figures(measured: dict[tuple[str, int], list[Outcome]], clients: int) -> list[Figure]:
    def rate(kind: str) -> float:
        return statistics.median(o.rate for o in measured[kind, clients])

    def detail(kind: str, prefix: str = "") -> dict[str, float]:
        runs = measured[kind, clients]
        return {
            f"{prefix}p50_ms": statistics.median(o.percentile_ms(0.5) for o in runs),
            f"{prefix}p99_ms": statistics.median(o.percentile_ms(0.99) for o in runs),
        }

    execute = f"in-process execute, {clients} threads"
    return [
        Figure("writes", f"setSupportHours over GraphQL, {clients} clients", rate("http"),
               "commands/s", execute, rate("execute"), OVER_HTTP_TARGETS.get(clients),
               detail=detail("http") | detail("execute", "baseline_")),
        Figure("writes", f"setSupportHours {execute}", rate("execute"), "commands/s",
               f"library save, 1 event per transaction, {clients} threads", rate("floor"),
               IN_PROCESS_TARGETS.get(clients),
               detail=detail("execute") | detail("floor", "baseline_")),
    ]  # fmt: skip


def _over_http(server: Server, tenant_id: str, people: list[str], seconds: float) -> Outcome:
    headers = server.headers(Role.MANAGER, tenant_id)
    pair = hours_pair()
    requests = [
        [graphql_request(server.host, server.port, set_hours(p, h), headers) for h in pair]
        for p in people
    ]
    return asyncio.run(closed_loop(server.host, server.port, requests, seconds))


def _in_process(runtime: Runtime, tenant_id: str, people: list[str], seconds: float) -> Outcome:
    pair = hours_pair()

    def one(person_id: str) -> Callable[[int], None]:
        def write(n: int) -> None:
            context = CommandContext(WRITER, tenant_id, f"bench-{uuid.uuid4()}",
                                     reason="bench: weekly review")  # fmt: skip
            command = SetSupportHours(person_id=person_id, hours_per_week=pair[n % 2])
            runtime.records.execute(context, command)

        return write

    return threaded([one(p) for p in people], seconds)


def _floor(floor: BenchFloor, clients: int, seconds: float) -> Outcome:
    def one() -> Callable[[int], None]:
        tally = Tally()

        def write(n: int) -> None:
            tally.count_one()
            floor.save(tally)

        return write

    return threaded([one() for _ in range(clients)], seconds)


def threaded(writers: list[Callable[[int], None]], seconds: float) -> Outcome:
    """Each writer in a thread of its own, called back to back for `seconds`."""
    outcome = Outcome(seconds)
    deadline = time.perf_counter() + seconds

    def keep_writing(write: Callable[[int], None]) -> None:
        for n in itertools.count():
            started = time.perf_counter()
            if started >= deadline:
                return
            try:
                write(n)
            except Exception as error:
                outcome.failed(error)
                continue
            outcome.latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=keep_writing, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome
