"""Reading a plan as it stood at a moment must cost the same however long its history.

Three plans are written first, with histories of 100, 1,000 and 10,000 events (changes a
minute apart, every thousandth a late entry), decided with the domain's own methods and saved
500 events a transaction, as a migration of past records would be. Then each is read at random
moments with `supportPlan(personId, asOf)`, one request at a time, in turn, so all three meet
the same machine. The 100-event plan is the baseline."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from domain.assessment import Assessment, Contribution, Section
from domain.care_records import CareRecords
from domain.envelope import Actor, CommandContext, Envelope, Role
from domain.outcome import EnablementStep, OutcomeTerms
from domain.person import Person
from domain.support_plan import SupportPlan
from infra.bench.load import Connection, graphql_request, percentile
from infra.bench.report import Figure
from infra.bench.server import Server

TENANT = "stepwise-bench"
SERVICE = "svc-bench"
DEPTHS = (100, 1_000, 10_000)
SAMPLES = 300
TARGET = 1.5
P99_LIMIT_MS = 15.0
STRENGTHS = ["Cooks pasta", "Knows the bus routes", "Keeps a diary", "Good with people"]
AUTHOR = Actor("bench-author", "Bench author", Role.SENIOR_SUPPORT_WORKER)
PLAN_AT = """query($p: ID!, $asOf: DateTime) { supportPlan(personId: $p, asOf: $asOf) {
  version supportHoursPerWeek staffGuidance nextReviewDate outcomes { target } } }"""


def sealed(at: datetime, reason: str | None = "weekly review") -> Envelope:
    context = CommandContext(AUTHOR, TENANT, "bench-history", reason=reason, effective_at=at)
    return Envelope.seal(context, service_id=SERVICE, now=datetime.now(UTC),
                         skew=timedelta(minutes=2))  # fmt: skip


def write_plans(records: CareRecords, began: datetime) -> dict[int, str]:
    """The person id of a plan of each depth."""
    return {events: plan_with_history(records, events, began) for events in DEPTHS}


def plan_with_history(records: CareRecords, events: int, began: datetime) -> str:
    person, assessment, plan = agreed_plan(events, began)
    records.save(person, assessment, plan)
    step, n = timedelta(minutes=1), 0
    while plan.version < events:
        n += 1
        late = n % 1_000 == 0
        at = began + step * n - (timedelta(days=2) if late else timedelta(0))
        change(plan, n, sealed(max(at, began + step)))
        if len(plan.pending_events) >= 500 or plan.version >= events:
            records.save(plan)
    return str(person.id)


def agreed_plan(n: int, began: datetime) -> tuple[Person, Assessment, SupportPlan]:
    person = Person.register(sealed(began), name=f"Bench person {n}",
                             date_of_birth=date(1980, 1, 1), service_id=SERVICE,
                             team_id="team-bench")  # fmt: skip
    assessment = Assessment(sealed(began), str(person.id))
    for section in Section:
        entries = STRENGTHS if section is Section.STRENGTHS else [f"{section.value} noted"]
        assessment.record_section(sealed(began), section, entries)
    contribution = Contribution("direct", "chose goals", None, None)
    assessment.record_contribution(sealed(began), contribution)
    assessment.complete(sealed(began))
    plan = SupportPlan(sealed(began), str(person.id), str(assessment.id), assessment.strengths)
    terms = OutcomeTerms("Cooks a meal", "Staff cook", "Cooks twice a week", "Notes", STRENGTHS[:2])
    plan.agree_outcome(sealed(began), "outcome-1", terms)
    step = EnablementStep("step-1", STRENGTHS[0], "Chops vegetables", "Daily notes")
    plan.add_enablement_step(sealed(began), "outcome-1", step)
    plan.write_staff_guidance(sealed(began), "Prompt, do not take over")
    plan.set_support_hours(sealed(began), 14)
    plan.set_next_review_date(sealed(began), date.today() + timedelta(weeks=6))
    plan.agree(sealed(began))
    return person, assessment, plan


def change(plan: SupportPlan, n: int, at: Envelope) -> None:
    kind = n % 4
    if kind == 0:
        plan.set_support_hours(at, 20 + n % 7)  # differs from the hours set 4 changes before
    elif kind == 1:
        plan.write_staff_guidance(at, f"Guidance revision {n}: prompt, then wait")
    elif kind == 2:
        plan.set_next_review_date(at, date.today() + timedelta(days=60 + n))
    else:
        plan.revise_outcome(at, "outcome-1", OutcomeTerms(target=f"Target {n}", builds_on=None))


def as_of_figures(
    server: Server, plans: dict[int, str], began: datetime,
    progress: Callable[[str], None] = print, samples: int = SAMPLES,
) -> list[Figure]:  # fmt: skip
    progress(f"asOf: {samples} reads of each of {len(plans)} plans, in turn")
    timings = asyncio.run(_read_in_turn(server, plans, began, samples))
    base = timings[DEPTHS[0]]
    return [
        Figure("as_of", f"supportPlan(asOf) p50, {events:,}-event plan", _ms(timings[events], 0.5),
               "ms", f"the same, {DEPTHS[0]}-event plan", _ms(base, 0.5), TARGET,
               lower_is_better=True,
               detail={"p50_ms": _ms(timings[events], 0.5), "p99_ms": _ms(timings[events], 0.99),
                       "baseline_p50_ms": _ms(base, 0.5), "baseline_p99_ms": _ms(base, 0.99),
                       "p99_limit_ms": P99_LIMIT_MS})
        for events in DEPTHS[1:]
    ]  # fmt: skip


async def _read_in_turn(
    server: Server, plans: dict[int, str], began: datetime, samples: int
) -> dict[int, list[float]]:
    headers = server.headers(Role.MANAGER, TENANT)
    pick = random.Random(7)
    timings: dict[int, list[float]] = {events: [] for events in plans}
    connection = await Connection.open(server.host, server.port)
    try:
        for _ in range(samples):
            for events, person_id in plans.items():
                as_of = began + (datetime.now(UTC) - began) * pick.random()
                body = {"query": PLAN_AT, "variables": {"p": person_id, "asOf": as_of.isoformat()}}
                request = graphql_request(server.host, server.port, body, headers)
                started = time.perf_counter()
                await connection.answer(request)
                timings[events].append(time.perf_counter() - started)
    finally:
        await connection.close()
    return timings


def _ms(values: list[float], fraction: float) -> float:
    return percentile(values, fraction) * 1000
