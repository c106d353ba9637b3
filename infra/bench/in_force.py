"""Reading what was in force across a whole service at any moment, as recorded at any time, must
stay quick. Two services of 800 people are written first, over nine months: in one, every
fourth person lives with a restriction; in the other, every person does. Each restriction is
reviewed every six to ten weeks (some late, some lifted), a tenth of the people move in from
another service half way, and everything is decided with the domain's own methods and saved
500 events a transaction. Then `restrictionsInForce(serviceId, asOf, asKnownAt)` is read at
random moments, one request at a time, beside the same read as the records stand now.

The records are recorded when they are written, whatever their effective times, so `asKnownAt`
falls between the start of the writing and the read: early moments see part of the service."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.care_records import CareRecords
from domain.envelope import Actor, CommandContext, Envelope, Role
from domain.person import Person
from domain.restriction import Restriction, RestrictionBasis, RestrictionTerms, ReviewOutcome
from infra.bench.load import BadAnswer, Connection, graphql_request, percentile
from infra.bench.report import Figure
from infra.bench.server import Server

TENANT = "stepwise-bench-in-force"
ELSEWHERE = "svc-elsewhere"
PEOPLE = 800
SAMPLES = 300
TARGET = 1.5
P99_LIMIT_MS = 50.0
LIMIT = timedelta(days=92)
MANAGER = Actor("bench-manager", "Bench manager", Role.MANAGER)
IN_FORCE = """query($s: ID!, $asOf: DateTime, $asKnownAt: DateTime) {
  restrictionsInForce(serviceId: $s, asOf: $asOf, asKnownAt: $asKnownAt, first: 100) {
    edges { node { restrictionId personId what basis reviewBy daysOverdue lastOutcome } } } }"""


@dataclass(frozen=True)
class Service:
    service_id: str
    restricted_every: int  # every n-th person lives with a restriction
    described: str
    target: bool  # judged against the target, or shown for what it costs

    def restricted(self, n: int) -> bool:
        return n % self.restricted_every == 0


SERVICES = (
    Service("svc-in-force", 4, "800 people, one in four restricted", target=True),
    Service("svc-all-restricted", 1, "800 people, every one restricted", target=False),
)


def sealed(at: datetime, service: str, reason: str | None = "reviewed with the person") -> Envelope:
    context = CommandContext(MANAGER, TENANT, "bench-in-force", reason=reason, effective_at=at)
    return Envelope.seal(context, service_id=service, now=datetime.now(UTC),
                         skew=timedelta(minutes=2))  # fmt: skip


def write_services(records: CareRecords, began: datetime, people: int = PEOPLE) -> None:
    for service in SERVICES:
        write_service(records, service, began, people)


def write_service(records: CareRecords, service: Service, began: datetime, people: int) -> None:
    """The service's people and their restrictions, saved 500 events at a time."""
    pick, pending = random.Random(11), []
    for n in range(people):
        pending += person_and_restriction(pick, service, began, n)
        if sum(len(record.pending_events) for record in pending) >= 500 or n == people - 1:
            records.save(*pending)
            pending = []


def person_and_restriction(
    pick: random.Random, service: Service, began: datetime, n: int
) -> list[Any]:
    moves_in = n % 10 == 0
    first = ELSEWHERE if moves_in else service.service_id
    person = Person.register(sealed(began, first), name=f"Bench person {n}",
                             date_of_birth=date(1980, 1, 1), service_id=first,
                             team_id=None)  # fmt: skip
    if moves_in:
        person.move(sealed(began + timedelta(days=135), service.service_id, "moved flat"),
                    service_id=service.service_id, team_id=None)  # fmt: skip
    if not service.restricted(n):
        return [person]
    imposed_at = began + timedelta(days=pick.randint(1, 60))
    terms = RestrictionTerms("Kitchen knives locked away", "Cut herself twice",
                             RestrictionBasis.BEST_INTERESTS, None, "Only sharp knives",
                             ["Supervised use"], "Bench manager",
                             (imposed_at + timedelta(days=60)).date())  # fmt: skip
    restriction = Restriction(sealed(imposed_at, first), str(person.id), terms)
    review_restriction(pick, restriction, imposed_at, first)
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


@dataclass
class Reads:
    timings: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    refused: int = 0

    def ms(self, fraction: float) -> float:
        return percentile(self.timings, fraction) * 1000 if self.timings else float("nan")

    @property
    def mean_rows(self) -> float:
        return round(statistics.fmean(self.rows), 1) if self.rows else 0.0


def in_force_figures(
    server: Server, began: datetime, written: datetime, samples: int = SAMPLES
) -> list[Figure]:
    """restrictionsInForce at a moment against the same read now, one request at a time, for
    each service. `written`: when writing the services began."""
    figures = []
    for service in SERVICES:
        now, then = asyncio.run(_read_in_turn(server, service, began, written, samples))
        figures.append(Figure(
            "as_of", f"restrictionsInForce(asOf, asKnownAt) p50, {service.described}",
            then.ms(0.5), "ms", "the same, as the records stand now", now.ms(0.5),
            TARGET if service.target else None, lower_is_better=True,
            detail={"p50_ms": then.ms(0.5), "p99_ms": then.ms(0.99), "mean_rows": then.mean_rows,
                    "refused": then.refused, "baseline_p50_ms": now.ms(0.5),
                    "baseline_p99_ms": now.ms(0.99), "baseline_mean_rows": now.mean_rows,
                    "baseline_refused": now.refused}
            | ({"p99_limit_ms": P99_LIMIT_MS} if service.target else {}),
        ))  # fmt: skip
    return figures


async def _read_in_turn(
    server: Server, service: Service, began: datetime, written: datetime, samples: int
) -> tuple[Reads, Reads]:
    headers = server.headers(Role.MANAGER, TENANT)
    pick = random.Random(7)
    now, then = Reads(), Reads()
    connection = await Connection.open(server.host, server.port)
    try:
        for _ in range(samples):
            as_of = began + (datetime.now(UTC) - began) * pick.random()
            known = written + (datetime.now(UTC) - written) * pick.random()
            moment = {"asOf": as_of.isoformat(), "asKnownAt": known.isoformat()}
            for reads, variables in ((now, {}), (then, moment)):
                body = {"query": IN_FORCE, "variables": {"s": service.service_id, **variables}}
                request = graphql_request(server.host, server.port, body, headers)
                started = time.perf_counter()
                try:
                    answer = await connection.answer(request)
                except BadAnswer:
                    reads.refused += 1
                    continue
                reads.timings.append(time.perf_counter() - started)
                page = json.loads(answer)["data"]["restrictionsInForce"]
                reads.rows.append(len(page["edges"]))
    finally:
        await connection.close()
    return now, then
