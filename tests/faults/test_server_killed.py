"""`stepwise serve` killed outright (SIGKILL) under write load, then started again: clients that
retry with their idempotency keys end with every write stored exactly once, each acknowledged
record the one stored, and every failed attempt either a lost connection or an answer that
says whether anything was written."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx2 as httpx

from infra.bootstrap import build
from infra.event_store import events_table
from infra.settings import Settings
from tests.e2e.helpers import WORKER, mutation_document
from tests.faults.test_database_crash import _stored_keys
from tests.support.server import serve_process

WRITERS = 4
REGISTER = mutation_document("registerPerson")


@dataclass
class Clients:
    """Where the clients send (the restarted server listens on another port), and what they saw."""

    base: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # idempotency key -> record
    failures: Counter[str] = field(default_factory=Counter)  # how each failed attempt failed
    unexpected: list[str] = field(default_factory=list)
    longest: float = 0.0  # from a key's first attempt to its acknowledgement: the restart
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt(self, person: dict[str, Any]) -> str | None:
        """The record made, or None after noting how the attempt failed."""
        payload = {"query": REGISTER, "variables": {"input": person}}
        try:
            response = httpx.post(f"{self.base}/graphql", json=payload,
                                  headers=WORKER.headers(), timeout=30)  # fmt: skip
        except httpx.TransportError as error:
            with self.lock:
                self.failures[f"connection: {type(error).__name__}"] += 1
            return None
        body = response.json()
        if not body.get("errors"):
            return str(body["data"]["registerPerson"]["recordId"])
        extensions = body["errors"][0].get("extensions", {})
        with self.lock:
            self.failures[f"{extensions.get('code')} outcome={extensions.get('outcome')}"] += 1
            if extensions.get("code") != "UNAVAILABLE":
                self.unexpected.append(str(body))
        return None

    def write_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            key, started = uuid4().hex, time.monotonic()
            person = {"name": "Ruth Evans", "serviceId": "svc-1", "idempotencyKey": key}
            while (record := self.attempt(person)) is None:
                time.sleep(0.05)
            with self.lock:
                self.acknowledged[key] = record
                self.longest = max(self.longest, time.monotonic() - started)


def test_a_server_killed_under_write_load_loses_nothing_and_duplicates_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    build(settings).close()  # the store made, with the tests' staff on record
    stop = threading.Event()
    with serve_process(settings, tmp_path, {}) as (url, server):
        clients = Clients(url)
        threads = [threading.Thread(target=clients.write_until, args=(stop,))
                   for _ in range(WRITERS)]  # fmt: skip
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        before_kill = len(clients.acknowledged)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    killed_at = time.monotonic()
    with serve_process(settings, tmp_path, {}) as (url, _):
        restarted = time.monotonic() - killed_at
        clients.base = url  # the clients' retries find the new server
        time.sleep(2.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    stored = _stored_keys(settings, events_table(postgres=True))

    print(f"\nserver killed under load: {len(clients.acknowledged)} acknowledged "
          f"({before_kill} before the kill), failed attempts {dict(clients.failures)}, "
          f"longest write {clients.longest:.2f}s, restarted in {restarted:.2f}s")  # fmt: skip
    assert before_kill > 0 and len(clients.acknowledged) > before_kill
    assert sum(clients.failures.values()) > 0  # the kill was seen
    assert clients.unexpected == []
    said = ("outcome=not_written", "outcome=unknown")
    assert all(kind.startswith("connection:") or kind.endswith(said) for kind in clients.failures)
    assert [key for key in clients.acknowledged if key not in stored] == []  # nothing lost
    assert {stored[key] for key in clients.acknowledged} == set(clients.acknowledged.values())
    assert len(stored) == len(set(stored.values())) == len(clients.acknowledged)  # no duplicate
