"""Work bounded before it starts: a document of nested fragments that would expand to 2^24
fields is refused about as fast as `{__typename}` is answered, and `/health` stays quick while
a client keeps sending it."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

import httpx2 as httpx

from domain.envelope import Role
from infra.bench.report import Figure
from infra.bench.server import Server

LEVELS = 24  # each fragment spreads the next twice: 2^24 fields if expanded
SENDERS = 1  # a client sending it again as soon as it is refused
LIMIT_MS = 50.0
TYPENAME = "{ __typename }"


def fragment_bomb(levels: int = LEVELS) -> str:
    """About a kilobyte of GraphQL that names 2^levels fields once every fragment is expanded."""
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)]
    return " ".join(["{ ...F0 }", *fragments, f"fragment F{levels} on Query {{ __typename }}"])


def limits_figures(server: Server, requests: int, tell: Callable[[str], None]) -> list[Figure]:
    headers = server.headers(Role.MANAGER, "bench-limits")
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        tell(f"limits: {requests} refusals of a 2^{LEVELS}-field document beside {TYPENAME}")
        refused, typename, wrong = _interleaved(client, requests)
        tell(f"limits: /health while {SENDERS} client(s) send the document")
        idle = [_timed(lambda: client.get("/health")) for _ in range(requests)]
        loaded, health_failed, sent = _health_under_load(server, headers, requests)
    return [
        _figure("2^24-field fragment document refused, p50", refused, "{ __typename }, p50",
                typename, wrong),
        _figure(f"/health while {SENDERS} client(s) send it, p50", loaded, "/health idle, p50",
                idle, health_failed, sent=sent),
    ]  # fmt: skip


def _interleaved(client: httpx.Client, requests: int) -> tuple[list[float], list[float], int]:
    """Each refusal timed beside a `{__typename}`, so both meet the same machine; `wrong`
    counts answers that were not a coded refusal."""
    bomb, refused, typename, wrong = fragment_bomb(), [], [], 0
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.post("/graphql", json={"query": bomb})
        refused.append((time.perf_counter() - started) * 1000)
        errors = answer.json().get("errors") or [{}]
        wrong += int(not errors[0].get("extensions", {}).get("code"))
        typename.append(_timed(lambda: client.post("/graphql", json={"query": TYPENAME})))
    return refused, typename, wrong


def _health_under_load(server: Server, headers: dict[str, str],
                       requests: int) -> tuple[list[float], int, int]:  # fmt: skip
    stop, sent = threading.Event(), [0]

    def send() -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as sender:
            while not stop.is_set():
                sender.post("/graphql", json={"query": fragment_bomb()})
                sent[0] += 1

    senders = [threading.Thread(target=send, daemon=True) for _ in range(SENDERS)]
    for sender in senders:
        sender.start()
    timings, failed = [], 0
    try:
        time.sleep(0.5)
        with httpx.Client(base_url=server.url, timeout=60) as probe:
            for _ in range(requests):
                started = time.perf_counter()
                failed += int(probe.get("/health").status_code != 200)
                timings.append((time.perf_counter() - started) * 1000)
                time.sleep(0.01)
    finally:
        stop.set()
        for sender in senders:
            sender.join(timeout=60)
    return timings, failed, sent[0]


def _timed(request: Callable[[], httpx.Response]) -> float:
    started = time.perf_counter()
    request()
    return (time.perf_counter() - started) * 1000


def _figure(name: str, timings: list[float], baseline_name: str, baseline: list[float],
            failed: int, **extra: float) -> Figure:  # fmt: skip
    return Figure(
        "limits", name, statistics.median(timings), "ms", baseline_name,
        statistics.median(baseline), lower_is_better=True,
        detail={"p99_ms": _p99(timings), "p99_limit_ms": LIMIT_MS,
                "baseline_p99_ms": _p99(baseline), "failed": failed, **extra},
    )  # fmt: skip


def _p99(timings: list[float]) -> float:
    return sorted(timings)[min(len(timings) - 1, int(len(timings) * 0.99))]
