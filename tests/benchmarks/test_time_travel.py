"""Reading a plan at a moment must not grow with the plan's history.

Two plans of like size, one with 100 events and one with 10,000 (with a few late entries), are
read over HTTP with `supportPlan(personId, asOf, asKnownAt)` at random moments, in interleaved
requests, so both feel the same load on a shared machine. The 100-event plan is the baseline.
The same reads are also timed on the read model alone, without the HTTP and GraphQL stack that
takes most of a request's time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import cast

import httpx2 as httpx

from domain.care_records import CareRecords
from domain.envelope import Envelope
from domain.outcome import OutcomeTerms
from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime
from projections.states import Moment
from projections.support_plans import SupportPlans, get_plan
from tests.benchmarks.conftest import median, percentile, timed
from tests.benchmarks.history import envelope, person_with_plan
from tests.e2e.helpers import MANAGER
from tests.support.server import serving

READS = 600
TARGET_RATIO = 1.5
TARGET_P99_POSTGRES = 0.015
PLAN_AT = """query($p: ID!, $asOf: DateTime, $asKnownAt: DateTime) {
  supportPlan(personId: $p, asOf: $asOf, asKnownAt: $asKnownAt) {
    version supportHoursPerWeek staffGuidance nextReviewDate outcomes { target } } }"""


def test_a_plan_read_at_a_moment_costs_the_same_at_any_depth(
    runtime: Runtime, report: Callable[..., None]
) -> None:
    began = datetime.now(UTC) - timedelta(days=30)
    short, _ = plan_with_history(runtime.records, 100, began)
    long, recording = plan_with_history(runtime.records, 10_000, began)
    runtime.projector.catch_up()
    timings: dict[str, list[float]] = {short: [], long: []}
    alone: dict[str, list[float]] = {short: [], long: []}
    plans = cast(SupportPlans, runtime.projector.model(SupportPlans.name))
    pick = random.Random(7)
    with serving(runtime) as url, httpx.Client(base_url=url, timeout=30) as client:
        for n in range(READS * 2):
            person_id = (short, long)[n % 2]
            as_of = began + (datetime.now(UTC) - began) * pick.random()
            # Known at any time since the long history began to be recorded.
            as_known_at = recording + (datetime.now(UTC) - recording) * pick.random()
            variables = {"p": person_id, "asOf": as_of.isoformat(),
                         "asKnownAt": as_known_at.isoformat()}  # fmt: skip

            def read(variables: dict[str, str] = variables) -> None:
                answer = client.post(
                    "/graphql",
                    json={"query": PLAN_AT, "variables": variables},
                    headers=MANAGER.headers(),  # every service of the provider
                )
                assert "errors" not in answer.json(), answer.text

            timings[person_id].append(timed(read))
            at = Moment(as_of, as_known_at)

            def read_alone(person_id: str = person_id, at: Moment = at) -> None:
                with runtime.store.transaction() as tx:
                    assert get_plan(tx, plans, person_id, at) is not None

            alone[person_id].append(timed(read_alone))
    backend = "postgres" if runtime.settings.is_postgres else "sqlite"
    base, deep = timings[short], timings[long]
    p50_ratio = median(deep) / median(base)
    p99_ratio = percentile(deep, 0.99) / percentile(base, 0.99)
    for events, values in (("100", base), ("10,000", deep)):
        report(backend, f"supportPlan(asOf, asKnownAt), {events}-event plan",
               f"{len(values)} reads", f"p50 {median(values) * 1000:.1f} ms",
               f"p99 {percentile(values, 0.99) * 1000:.1f} ms")  # fmt: skip
    report(backend, "10,000 / 100 events", "", f"p50 {p50_ratio:.2f}x", f"p99 {p99_ratio:.2f}x")
    for events, values in (("100", alone[short]), ("10,000", alone[long])):
        report(backend, f"  the read model alone, {events}-event plan", f"{len(values)} reads",
               f"p50 {median(values) * 1000:.2f} ms",
               f"p99 {percentile(values, 0.99) * 1000:.2f} ms")  # fmt: skip
    ratio_alone = median(alone[long]) / median(alone[short])
    report(backend, "  10,000 / 100 events, read model alone", "", f"p50 {ratio_alone:.2f}x")
    assert p50_ratio <= TARGET_RATIO
    if runtime.settings.is_postgres:
        assert percentile(deep, 0.99) <= TARGET_P99_POSTGRES


def plan_with_history(records: CareRecords, events: int, began: datetime) -> tuple[str, datetime]:
    """An agreed plan, then changes a minute apart until it has `events` events; every
    thousandth change is a late entry, effective two days before the one recorded before it."""
    person, assessment, plan = person_with_plan(events, began)
    drafted = records.save(person, assessment, plan)[-1].domain_event.timestamp
    step, n = timedelta(minutes=1), 0
    while plan.version < events:
        n += 1
        late = n % 1_000 == 0
        at = began + step * n - (timedelta(days=2) if late else timedelta(0))
        change(plan, n, envelope(at=max(at, began + step)))
        if len(plan.pending_events) >= 500 or plan.version >= events:
            records.save(plan)
    return str(person.id), drafted


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
