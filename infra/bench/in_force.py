"""Reading what was in force across a whole service at any moment, as recorded at any time, must
stay quick. A service of 800 people is written first, over nine months: each person with a
restriction reviewed every few weeks (some lifted, some reviewed late, a tenth moved in from
another service half way), decided with the domain's own methods and saved 500 events a
transaction. Then `restrictionsInForce(serviceId, asOf, asKnownAt)` is read at random moments,
one request at a time, beside the same read as the records stand now (no moment asked)."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.care_records import CareRecords
from domain.envelope import Actor, CommandContext, Envelope, Role
from domain.person import Person
from domain.restriction import Restriction, RestrictionBasis, RestrictionTerms, ReviewOutcome
from infra.bench.load import Connection, graphql_request, percentile
from infra.bench.report import Figure
from infra.bench.server import Server

TENANT = "stepwise-bench-in-force"
SERVICE, ELSEWHERE = "svc-in-force", "svc-elsewhere"
PEOPLE = 800
SAMPLES = 300
P99_LIMIT_MS = 50.0
LIMIT = timedelta(days=92)
MANAGER = Actor("bench-manager", "Bench manager", Role.MANAGER)
IN_FORCE = """query($s: ID!, $asOf: DateTime, $asKnownAt: DateTime) {
  restrictionsInForce(serviceId: $s, asOf: $asOf, asKnownAt: $asKnownAt) {
    restrictionId personId what basis reviewBy daysOverdue lastOutcome } }"""


def sealed(at: datetime, service: str, reason: str | None = "reviewed with the person") -> Envelope:
    context = CommandContext(MANAGER, TENANT, "bench-in-force", reason=reason, effective_at=at)
    return Envelope.seal(context, service_id=service, now=datetime.now(UTC),
                         skew=timedelta(minutes=2))  # fmt: skip


def write_service(records: CareRecords, began: datetime, people: int = PEOPLE) -> None:
    """The service's people and their restrictions, saved 500 events at a time."""
    pick, pending = random.Random(11), []
    for n in range(people):
        pending += person_and_restriction(pick, began, n)
        if sum(len(record.pending_events) for record in pending) >= 500 or n == people - 1:
            records.save(*pending)
            pending = []


def person_and_restriction(pick: random.Random, began: datetime, n: int) -> list[Any]:
    moves_in = n % 10 == 0
    service = ELSEWHERE if moves_in else SERVICE
    person = Person.register(sealed(began, service), name=f"Bench person {n}",
                             date_of_birth=date(1980, 1, 1), service_id=service,
                             team_id=None)  # fmt: skip
    imposed_at = began + timedelta(days=pick.randint(1, 60))
    terms = RestrictionTerms("Kitchen knives locked away", "Cut herself twice",
                             RestrictionBasis.BEST_INTERESTS, None, "Only sharp knives",
                             ["Supervised use"], "Bench manager",
                             (imposed_at + timedelta(days=60)).date())  # fmt: skip
    restriction = Restriction(sealed(imposed_at, service), str(person.id), terms)
    if moves_in:
        person.move(sealed(began + timedelta(days=135), SERVICE, "moved flat"),
                    service_id=SERVICE, team_id=None)  # fmt: skip
    review_restriction(pick, restriction, imposed_at, service)
    return [person, restriction]


def review_restriction(
    pick: random.Random, restriction: Restriction, at: datetime, service: str
) -> None:
    """Reviewed every six to ten weeks, sometimes late; a quarter lifted along the way."""
    while True:
        at += timedelta(days=pick.randint(42, 70))
        if at > datetime.now(UTC) - timedelta(days=1):
            return
        if pick.random() < 0.08:
            restriction.review(sealed(at, service), ReviewOutcome.LIFTED, None, None, None, LIMIT)
            return
        next_by = (at + timedelta(days=pick.randint(30, 80))).date()
        restriction.review(sealed(at, service), ReviewOutcome.CONTINUED, "Still needed", None,
                           next_by, LIMIT)  # fmt: skip


def in_force_figures(server: Server, began: datetime, samples: int = SAMPLES) -> list[Figure]:
    """restrictionsInForce at a moment against the same read now, one request at a time."""
    now, then = asyncio.run(_read_in_turn(server, began, samples))
    return [Figure(
        "as_of", f"restrictionsInForce(asOf, asKnownAt) p50, a service of {PEOPLE} people",
        _ms(then, 0.5), "ms", "the same, as the records stand now", _ms(now, 0.5),
        lower_is_better=True,
        detail={"p50_ms": _ms(then, 0.5), "p99_ms": _ms(then, 0.99), "p99_limit_ms": P99_LIMIT_MS,
                "baseline_p50_ms": _ms(now, 0.5), "baseline_p99_ms": _ms(now, 0.99)},
    )]  # fmt: skip


async def _read_in_turn(
    server: Server, began: datetime, samples: int
) -> tuple[list[float], list[float]]:
    headers = server.headers(Role.MANAGER, TENANT)
    pick, span = random.Random(7), datetime.now(UTC) - began
    now_timings: list[float] = []
    then_timings: list[float] = []
    connection = await Connection.open(server.host, server.port)
    try:
        for _ in range(samples):
            as_of = began + span * pick.random()
            known = as_of + (datetime.now(UTC) - as_of) * pick.random()
            moment = {"asOf": as_of.isoformat(), "asKnownAt": known.isoformat()}
            for timings, variables in ((now_timings, {}), (then_timings, moment)):
                body = {"query": IN_FORCE, "variables": {"s": SERVICE, **variables}}
                request = graphql_request(server.host, server.port, body, headers)
                started = time.perf_counter()
                await connection.answer(request)
                timings.append(time.perf_counter() - started)
    finally:
        await connection.close()
    return now_timings, then_timings


def _ms(values: list[float], fraction: float) -> float:
    return percentile(values, fraction) * 1000
