"""Simulated care records at scale: months of history for as many people as asked, written
through the registered commands and their rules, in batches of one transaction each.

The same seed and arguments give the same records, ids and payloads (each person's history is
drawn from a random generator seeded with the seed and the person's number, and every id
follows from a command key derived from both); only the library's recorded times differ. The
history ends at midnight (UTC) before the application's clock, so a run with a fixed clock, or
two runs on the same day, agree exactly. People already recorded by an earlier run with the
same seed are left as they are.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.commands import Command, NewIds
from domain.envelope import Actor, CommandContext, Role
from domain.provider_policy import (
    ProviderPolicy,
    SetRestrictionReviewLimit,
    restriction_review_limit,
)
from domain.service_practice import ServicePractice, SetPromptLadder, prompt_ladder
from domain.staff import StaffMember
from domain.staff_commands import JoinStaff
from infra.bootstrap import Runtime
from infra.rebuild import BATCH_SIZE as PROJECTION_BATCH
from infra.simulate.batch import Batch
from infra.simulate.days import live
from infra.simulate.people import begin
from infra.simulate.risk import plan_risks
from infra.simulate.story import TENANT, Story, staff_of
from infra.simulate.words import SERVICES, THEMES

DAYS_PER_MONTH = 30.44
BATCH_EVENTS = 2_000  # events per transaction
RESTRICTION_REVIEW_DAYS = 84
ADMIN = Actor("simulate-admin", "Provider admin", Role.TENANT_ADMIN)
# Measured from the generator itself: events per person, fixed and per month of history.
EVENTS_PER_PERSON = 10
EVENTS_PER_PERSON_MONTH = 102


@dataclass(frozen=True)
class Simulated:
    people: int
    events: int
    seconds: float
    person_ids: list[str]


def simulate(
    runtime: Runtime,
    *,
    people: int,
    months: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    services: int = len(SERVICES),
) -> Simulated:
    """Writes the histories; progress(events_written_so_far). `services`: how many of the
    simulated services the people are spread over (1: everyone in the first)."""
    if people < 1 or months < 1:
        raise ValueError("simulate at least one person over at least one month")
    written = 0

    def saved(events: int) -> None:
        nonlocal written
        written += events
        if progress:
            progress(written)

    started = time.perf_counter()
    overlap = runtime.settings.is_postgres  # SQLite writes in this process: nothing to overlap
    batch = Batch(runtime.records, TENANT, BATCH_EVENTS, saved, overlap)
    end = _midnight_before(runtime.records.clock())
    days = round(months * DAYS_PER_MONTH)
    gc.disable()  # a batch holds thousands of short-lived objects and no cycles worth chasing
    try:
        provider = _provider(batch, end - timedelta(days=days + 1), seed)
        person_ids = [person_id_of(seed, number) for number in range(people)]
        recorded = {person_id for person_id in person_ids if batch.exists(UUID(person_id))}
        for number, person_id in enumerate(person_ids):
            if person_id not in recorded:  # else written by an earlier run with this seed
                _person(batch, seed, number, end, days, provider, services)
                batch.forget()
    finally:
        gc.enable()
        batch.close()
    return Simulated(people, written, time.perf_counter() - started, person_ids)


def people_for_events(events: int, months: int) -> int:
    """How many people give about this many events over this many months (from the generator's
    own measured average; a bench asks for 100,000 and 1,000,000 events)."""
    return max(1, round(events / events_for(1, months)))


def events_for(people: int, months: int) -> int:
    """About how many events this many people over this many months give."""
    return people * (EVENTS_PER_PERSON + EVENTS_PER_PERSON_MONTH * months)


def project(runtime: Runtime, progress: Callable[[int], None] | None = None) -> int:
    """Brings every read model up to the end of the log; returns how many entries were read."""
    projector = runtime.projector
    gc.disable()  # as a rebuild does: many folded records alive, few cycles among them
    try:
        return projector.follow(projector.lanes, progress, PROJECTION_BATCH)
    finally:
        gc.enable()


def person_id_of(seed: int, number: int) -> str:
    """The id the simulation gives a person (their registration is their first command)."""
    return str(NewIds(TENANT, f"{_key(seed, number)}:1").record())


def _key(seed: int, number: int) -> str:
    return f"simulate:{seed}:{number}"


def _person(
    batch: Batch, seed: int, number: int, end: datetime, days: int, provider: Provider,
    services: int,
) -> None:  # fmt: skip
    rng = random.Random(f"stepwise-simulate:{seed}:{number}")
    service = rng.randrange(services)
    theme, second = rng.sample(THEMES, 2)
    starts_after = rng.randrange(max(1, days // 6))
    first_day = end - timedelta(days=days - starts_after)
    story = Story(batch, rng, _key(seed, number), first_day, days - starts_after, service,
                  provider.ladders[service], theme, second)  # fmt: skip
    plan = begin(story)
    plan_risks(story, number, provider.limit_days)
    for day in range(4, story.days):
        live(story, plan, day)
    if story.person_id != person_id_of(seed, number):
        raise AssertionError("a person's registration must be their first command")


@dataclass(frozen=True)
class Provider:
    """What every person's history must keep to: the provider's restriction review limit, and
    each service's prompt ladder."""

    limit_days: int
    ladders: tuple[tuple[str, ...], ...]  # in the order of SERVICES


def _provider(batch: Batch, at: datetime, seed: int) -> Provider:
    """Each service's own prompt ladder and the provider's restriction review limit, set by a
    manager before any history (once: what is already on record is left as it is)."""
    commands = 0

    def run(service: int, command: Command, actor: Actor | None = None) -> None:
        nonlocal commands
        commands += 1
        key = f"simulate:{seed}:provider:{commands}"
        context = CommandContext(actor=actor or staff_of(service).manager, tenant_id=TENANT,
                                 correlation_id=key, effective_at=at, idempotency_key=key,
                                 reason="Set up for the service")  # fmt: skip
        batch.run(context, command)

    # Whoever writes as staff is on the provider's staff: the admin records them first.
    for service, (service_id, *_) in enumerate(SERVICES):
        team = staff_of(service)
        for member in (*team.workers, team.senior, team.manager):
            if not batch.exists(StaffMember.create_id(TENANT, member.id)):
                run(service, JoinStaff(member.id, member.name, member.role, service_id), ADMIN)
    for service, (service_id, _, ladder) in enumerate(SERVICES):
        practice_id = ServicePractice.create_id(TENANT, service_id)
        if ladder and not batch.exists(practice_id):
            run(service, SetPromptLadder(service_id, list(ladder)))
    if not batch.exists(ProviderPolicy.create_id(TENANT)):
        run(0, SetRestrictionReviewLimit(RESTRICTION_REVIEW_DAYS))
    ladders = tuple(tuple(prompt_ladder(batch, service_id)) for service_id, *_ in SERVICES)
    return Provider(restriction_review_limit(batch).days, ladders)


def _midnight_before(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)
