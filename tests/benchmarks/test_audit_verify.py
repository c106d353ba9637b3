"""Verifying the audit chain of a 50,000-event log: under 5 s, and how close it comes to merely
reading the stored log, which it cannot avoid. Rounds are interleaved."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from infra.audit import verify
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from projections.audit_chain import setting_text
from tests.benchmarks.conftest import median, timed
from tests.benchmarks.history import write_history

ROUNDS = 3
TARGET_SECONDS = 5.0
KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    signed = settings.model_copy(update={"audit_key": SecretStr(setting_text(KEY))})
    runtime = build(signed)
    yield runtime
    runtime.close()


def test_verifying_a_50_000_event_log_takes_under_5_seconds(
    runtime: Runtime, report: Callable[..., None]
) -> None:
    events = write_history(runtime.records, people=2_000, revisions=9)
    runtime.projector.catch_up()
    reading, verifying = [], []
    for _ in range(ROUNDS):
        reading.append(timed(lambda: read_stored_log(runtime)))
        verifying.append(timed(lambda: check(runtime)))

    backend = "postgres" if runtime.settings.is_postgres else "sqlite"
    read, verified = median(reading), median(verifying)
    report(backend, "audit verify", f"{events:,} events", f"read stored log {read:.2f}s",
           f"verify {verified:.2f}s", f"verify/read {verified / read:.1f}")  # fmt: skip
    assert verified < TARGET_SECONDS


def check(runtime: Runtime) -> None:
    assert verify(runtime.records, runtime.store, KEY.public_key()).intact


def read_stored_log(runtime: Runtime) -> int:
    start, count = 1, 0
    while page := runtime.records.recorder.select_notifications(start=start, limit=5_000):
        start, count = page[-1].id + 1, count + len(page)
    return count
