"""Webhook delivery lag: how long after a write is sent its event reaches a receiver, at a
steady offered rate of writes (open loop), first with two receivers that answer, then with a
third that is down beside them.

The lag is timed from when the write was due to be sent (so queueing counts) until the receiver
has the event. The baseline is the first run's p99; the second run's p99 for the same live
receivers is compared with it: a dead receiver must not raise the others' lag. A write that
fails, and an event never received, are counted beside the figure, never timed."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from domain.envelope import Role
from infra.bench.load import BadAnswer, Connection, graphql_request, open_loop, percentile
from infra.bench.report import Figure
from infra.bench.server import Server, free_port, serving
from infra.bench.staff import join_bench_staff
from infra.bootstrap import build
from infra.settings import Settings

RATE = 100  # writes a second
TARGET = 1.2  # the live receivers' p99 with one receiver down, against without it
P99_LIMIT_MS = 1000.0
RECIPIENT = "bench-receiver"
TENANT = "bench-webhooks"
PEOPLE = 200  # the writes go round them, so no two at once change one record
SETTLE_SECONDS = 10.0  # after the last write, how long events may still arrive
REGISTER = """mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { recordId } }"""
WRITE = """mutation($i: RecordAdvocateInput!) { recordAdvocate(input: $i) {
  recordId version } }"""


class Receiver:
    """An HTTP receiver in this process: when each message (by its webhook-id) first came."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                with receiver._lock:
                    receiver.arrived.setdefault(self.headers["webhook-id"], time.perf_counter())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Run:
    sent: dict[str, float] = field(default_factory=dict)  # webhook-id -> when it was due
    answered: dict[str, float] = field(default_factory=dict)  # webhook-id -> write answered
    failed: int = 0
    why_failed: Counter[str] = field(default_factory=Counter)
    lags: list[float] = field(default_factory=list)
    # The two parts of each lag: the write's own (due to answered), and delivery's after it.
    writing: list[float] = field(default_factory=list)
    after_answer: list[float] = field(default_factory=list)
    missing: int = 0

    def fail(self, why: str) -> None:
        self.failed += 1
        self.why_failed[why] += 1

    def ms(self, fraction: float, lags: list[float] | None = None) -> float:
        found = self.lags if lags is None else lags
        return percentile(found, fraction) * 1000 if found else float("nan")


@contextmanager
def delivering(settings: Settings) -> Iterator[Server]:
    """A server (its staff joined first) that delivers webhooks to receivers on this machine."""
    runtime = build(settings)
    try:
        join_bench_staff(runtime.records, TENANT)
    finally:
        runtime.close()
    given = {"STEPWISE_WEBHOOK_KEY": "bench-webhook-key-of-more-than-thirty-two-characters",
             "STEPWISE_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"}  # fmt: skip
    before = {name: os.environ.get(name) for name in given}
    os.environ.update(given)  # the server's process is started with this environment
    try:
        with serving(settings) as server:
            yield server
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def webhook_figures(
    server: Server, seconds: float, progress: Callable[[str], None] = print
) -> list[Figure]:
    with receivers(2) as live:
        people = asyncio.run(_setup(server, [r.url for r in live]))
        progress(f"webhooks: {RATE} writes/s for {seconds:g}s, two receivers")
        alone = _run(server, people, live, seconds)
        dead = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
        asyncio.run(_register(server, dead))
        progress(f"webhooks: {RATE} writes/s for {seconds:g}s, with a third receiver down")
        beside_dead = _run(server, people, live, seconds)
    for name, run in (("every receiver up", alone), ("one receiver down", beside_dead)):
        for why, count in run.why_failed.most_common():
            progress(f"webhooks, {name}: {count} writes failed: {why}")
    detail = {"p50_ms": beside_dead.ms(0.5), "p99_ms": beside_dead.ms(0.99),
              "failed": beside_dead.failed, "missing": beside_dead.missing,
              "baseline_p50_ms": alone.ms(0.5), "baseline_p99_ms": alone.ms(0.99),
              "baseline_failed": alone.failed, "baseline_missing": alone.missing,
              "p99_limit_ms": P99_LIMIT_MS, "rate": RATE,
              "write_p99_ms": beside_dead.ms(0.99, beside_dead.writing),
              "after_answer_p99_ms": beside_dead.ms(0.99, beside_dead.after_answer)}  # fmt: skip
    return [
        Figure("webhooks", f"webhook delivery lag p99 at {RATE} writes/s, one receiver down",
               beside_dead.ms(0.99), "ms", "the same with every receiver up", alone.ms(0.99),
               TARGET, lower_is_better=True, detail=detail),
    ]  # fmt: skip


@contextmanager
def receivers(count: int) -> Iterator[list[Receiver]]:
    made = [Receiver() for _ in range(count)]
    try:
        yield made
    finally:
        for receiver in made:
            receiver.close()


async def _setup(server: Server, urls: list[str]) -> list[str]:
    """People who consent to share with the receivers' recipient, and a webhook per URL."""
    manager = server.headers(Role.MANAGER, TENANT)
    connection = await Connection.open(server.host, server.port)
    people = []
    try:
        for n in range(PEOPLE):
            given = {"name": f"Bench person {n}", "serviceId": "bench-service"}
            people.append(await _mutate(connection, server, manager, "registerPerson", given))
        for person in people:
            consent = {"personId": person, "recipient": RECIPIENT, "purpose": "Benchmark"}
            await _mutate(connection, server, manager, "giveSharingConsent", consent)
    finally:
        await connection.close()
    for url in urls:
        await _register(server, url)
    return people


async def _register(server: Server, url: str) -> None:
    admin = server.headers(Role.TENANT_ADMIN, TENANT)
    webhook = {"url": url, "recipient": RECIPIENT, "eventTypes": ["Person.AdvocateRecorded"]}
    connection = await Connection.open(server.host, server.port)
    try:
        body = {"query": REGISTER, "variables": {"i": webhook}}
        json.loads(await connection.answer(graphql_request(server.host, server.port, body,
                                                           admin)))  # fmt: skip
    finally:
        await connection.close()


async def _mutate(connection: Connection, server: Server, headers: dict[str, str], name: str,
                  given: dict[str, Any]) -> str:  # fmt: skip
    input_type = name[0].upper() + name[1:] + "Input"
    query = f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ recordId }} }}"
    body = {"query": query, "variables": {"i": given}}
    answer = json.loads(await connection.answer(graphql_request(server.host, server.port, body,
                                                                headers)))  # fmt: skip
    return str(answer["data"][name]["recordId"])


def _run(server: Server, people: list[str], live: list[Receiver], seconds: float) -> Run:
    """Writes at RATE for `seconds`, then waits for the live receivers to have every event."""
    run, headers = Run(), server.headers(Role.MANAGER, TENANT)
    clock = time.perf_counter
    begun = clock()

    async def write(connection: Connection, n: int) -> float:
        person = people[n % len(people)]
        due = begun + n / RATE
        advocate = {"personId": person, "name": f"Advocate {n}", "relationship": "Friend"}
        body = {"query": WRITE, "variables": {"i": advocate}}
        request = graphql_request(server.host, server.port, body, headers)
        try:
            answer = json.loads(await connection.answer(request))
        except BadAnswer as refused:
            run.fail(str(refused)[:80])
            return clock() - due
        written = (answer.get("data") or {}).get("recordAdvocate")
        if written is None:
            run.fail(str(answer.get("errors", [{}])[0].get("extensions", {}).get("code")))
            return clock() - due
        message = f"{written['recordId']}.{written['version']}"
        run.sent[message], run.answered[message] = due, clock()
        return clock() - due

    schedule = asyncio.run(open_loop(server.host, server.port, RATE, seconds, write))
    for _ in range(schedule.outcome.errors):  # not sent, or no answer
        run.fail(schedule.outcome.first_error or "no answer")
    deadline = clock() + SETTLE_SECONDS
    while clock() < deadline and not all(set(run.sent) <= set(r.arrived) for r in live):
        time.sleep(0.1)
    for receiver in live:
        for message, due in run.sent.items():
            arrived = receiver.arrived.get(message)
            if arrived is None:
                run.missing += 1
            else:
                run.lags.append(arrived - due)
                run.writing.append(run.answered[message] - due)
                run.after_answer.append(arrived - run.answered[message])
    return run
