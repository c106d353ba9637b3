"""Read-your-writes under load, served for real over HTTP.

1. At a steady 50 commands a second, how long a query sent with the write's position takes to
   answer, against the same query sent without it (the baseline, measured alongside).
2. While 200 requests wait for a position projected 2 s later, how long a plain read takes,
   against the same read with nobody waiting (the baseline, measured first).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx2 as httpx

from infra.bootstrap import Runtime
from tests.benchmarks.conftest import median, percentile
from tests.e2e.helpers import WAIT_FOR_POSITION, WORKER, mutation_document
from tests.support.scenarios import agreed_plan
from tests.support.server import serving

COMMANDS_PER_SECOND = 50
SECONDS = 8
WAITERS = 200
PLAN = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek } }"
PERSON = "query($id: ID!) { person(id: $id) { name } }"


def test_freshness_at_fifty_commands_a_second(
    runtime: Runtime, report: Callable[..., None]
) -> None:
    person_id = agreed_plan(runtime.records).person_id
    with serving(runtime) as url:
        waited, plain = asyncio.run(steady_writes(url, person_id))
    backend = "postgres" if runtime.settings.is_postgres else "sqlite"
    report(backend, f"read own write at {COMMANDS_PER_SECOND} commands/s",
           f"{len(waited)} reads", f"p50 {median(waited) * 1000:.1f} ms",
           f"p99 {percentile(waited, 0.99) * 1000:.1f} ms",
           f"plain read p50 {median(plain) * 1000:.1f} ms")  # fmt: skip
    assert len(waited) == COMMANDS_PER_SECOND * SECONDS


def test_a_read_while_two_hundred_requests_wait(
    runtime: Runtime, report: Callable[..., None]
) -> None:
    person_id = agreed_plan(runtime.records).person_id
    with serving(runtime) as url:
        alone, beside_waiters = asyncio.run(read_beside_waiters(url, person_id, runtime))
    backend = "postgres" if runtime.settings.is_postgres else "sqlite"
    report(backend, f"plain read while {WAITERS} wait", f"{len(beside_waiters)} reads",
           f"p50 {median(beside_waiters) * 1000:.1f} ms",
           f"max {max(beside_waiters) * 1000:.1f} ms",
           f"alone p50 {median(alone) * 1000:.1f} ms")  # fmt: skip
    assert median(beside_waiters) < 0.1


async def steady_writes(url: str, person_id: str) -> tuple[list[float], list[float]]:
    waited: list[float] = []
    plain: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        started = time.perf_counter()
        for n in range(COMMANDS_PER_SECOND * SECONDS):
            await asyncio.sleep(max(0.0, started + n / COMMANDS_PER_SECOND - time.perf_counter()))
            change = {"personId": person_id, "hoursPerWeek": 10 + n % 2, "reason": "Steady",
                      "expectedVersion": None}  # fmt: skip
            written = await mutate(client, "setSupportHours", change)
            headers = {WAIT_FOR_POSITION: str(written["position"])}
            seen, took = await timed_post(client, PLAN, {"p": person_id}, headers)
            assert seen["data"]["supportPlan"]["version"] == written["version"], seen
            waited.append(took)
            plain.append((await timed_post(client, PLAN, {"p": person_id}, {}))[1])
    return waited, plain


async def read_beside_waiters(
    url: str, person_id: str, runtime: Runtime
) -> tuple[list[float], list[float]]:
    limits = httpx.Limits(max_connections=WAITERS + 10)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        alone = [(await timed_post(client, PERSON, {"id": person_id}, {}))[1] for _ in range(20)]
        # Written while no projector runs: waiting for it lasts until the projector is back.
        await asyncio.to_thread(runtime.projector.stop)
        last = await mutate(client, "registerPerson", {"name": "Ben", "serviceId": "svc-1"})
        later = {WAIT_FOR_POSITION: str(last["position"])}
        arrived = time.perf_counter()
        waiting = [
            asyncio.create_task(timed_post(client, PERSON, {"id": person_id}, later))
            for _ in range(WAITERS)
        ]
        await asyncio.sleep(0.5)  # the burst of arrivals is parsed; from here on they wait
        beside = []
        for _ in range(20):
            beside.append((await timed_post(client, PERSON, {"id": person_id}, {}))[1])
            await asyncio.sleep(0.05)
        assert not any(task.done() for task in waiting)
        await asyncio.sleep(max(0.0, arrived + 2 - time.perf_counter()))  # 2 s after they came
        await asyncio.to_thread(runtime.projector.start)
        answers = await asyncio.gather(*waiting)
        assert all("errors" not in body for body, _ in answers)
    return alone, beside


async def timed_post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={**WORKER.headers(), **headers},
    )
    body: dict[str, Any] = response.json()
    return body, time.perf_counter() - started


async def mutate(client: httpx.AsyncClient, name: str, given: dict[str, Any]) -> dict[str, Any]:
    body, _ = await timed_post(client, mutation_document(name), {"input": given}, WORKER.headers())
    assert "errors" not in body, body
    written: dict[str, Any] = body["data"][name]
    return written
