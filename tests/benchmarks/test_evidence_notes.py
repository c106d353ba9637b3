"""Writing an evidence note, and loading the plan, must not grow with the person's notes.

Two people with agreed plans: one with 10 notes, one with 10,000 (seeded as stored
EvidenceNote records, saved in batches as a migration of past notes would be). Then, in
interleaved rounds so both feel the same load on a shared machine, one more note is written
for each through `execute`, and each plan is loaded. The 10-note person is the baseline.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from domain.care_records import CareRecords
from domain.envelope import Envelope
from domain.evidence_note import EvidenceNote, Observation, RecordEvidenceNote
from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime
from tests.benchmarks.conftest import median, percentile, timed
from tests.support.scenarios import AgreedPlan, agreed_plan, context, run

FEW, MANY = 10, 10_000
WARM_UP = 20
ROUNDS = 250
SEED_BATCH = 500
TARGET_RATIO = 1.2
SEEDING_BOUND_SECONDS = 60.0  # keeps `make bench` quick: a few seconds on either backend
MOODS = ("cheerful", "tired", "anxious", "settled")

Timings = dict[str, list[float]]


def test_writing_a_note_and_loading_the_plan_cost_the_same_at_any_number_of_notes(
    runtime: Runtime, report: Callable[..., None]
) -> None:
    records = runtime.records
    few, many = agreed_plan(records, "Few Notes"), agreed_plan(records, "Many Notes")
    seed_notes(records, few, FEW)
    started = time.perf_counter()
    seed_notes(records, many, MANY)
    seeding = time.perf_counter() - started
    writes, loads = measure(records, few, many)
    backend = "postgres" if runtime.settings.is_postgres else "sqlite"
    report(backend, f"seeding {MANY:,} evidence notes", f"{seeding:.1f} s",
           f"{MANY / seeding:,.0f} notes/s")  # fmt: skip
    ratios = {}
    for what, timings in (("write a note (execute)", writes), ("load the plan", loads)):
        for person, notes in ((few, FEW), (many, MANY)):
            values = timings[person.person_id]
            report(backend, f"{what}, person with {notes:,} notes", f"{len(values)} samples",
                   f"p50 {median(values) * 1000:.2f} ms",
                   f"p99 {percentile(values, 0.99) * 1000:.2f} ms")  # fmt: skip
        ratios[what] = median(timings[many.person_id]) / median(timings[few.person_id])
        report(backend, f"{what}, {MANY:,} / {FEW} notes", "", f"p50 {ratios[what]:.2f}x")
    assert seeding <= SEEDING_BOUND_SECONDS
    assert all(ratio <= TARGET_RATIO for ratio in ratios.values()), ratios


def measure(records: CareRecords, few: AgreedPlan, many: AgreedPlan) -> tuple[Timings, Timings]:
    """Round after round, a note written and the plan loaded for both people, in an order
    shuffled each round so neither is always first; the warm-up rounds are not kept."""
    writes: Timings = {few.person_id: [], many.person_id: []}
    loads: Timings = {few.person_id: [], many.person_id: []}
    shuffle = random.Random(11).shuffle
    for round_ in range(WARM_UP + ROUNDS):
        people = [few, many]
        shuffle(people)
        for person in people:
            command = record_note(person, round_)
            plan_id = SupportPlan.create_id(person.person_id)
            wrote = timed(lambda command=command: run(records, command))
            loaded = timed(lambda plan_id=plan_id: records.load(plan_id))
            if round_ >= WARM_UP:
                writes[person.person_id].append(wrote)
                loads[person.person_id].append(loaded)
    return writes, loads


def record_note(plan: AgreedPlan, n: int) -> RecordEvidenceNote:
    return RecordEvidenceNote(
        plan.person_id, plan.outcome_id, f"Chopped the vegetables, round {n}",
        prompt_level="gesture", confidence=1 + n % 10, steps_completed=n % 4, steps_of=3 + n % 2,
        mood=MOODS[n % len(MOODS)],
    )  # fmt: skip


def seed_notes(records: CareRecords, plan: AgreedPlan, count: int) -> None:
    """`count` notes on the person's outcome, made as the command makes them and stored in
    batches; each note is a record of its own, so each is one stored event."""
    stored = 0
    for start in range(0, count, SEED_BATCH):
        notes = [note(plan, n) for n in range(start, min(count, start + SEED_BATCH))]
        stored += len(records.save(*notes))
    assert stored == count


def note(plan: AgreedPlan, n: int) -> EvidenceNote:
    envelope = Envelope.seal(context(), service_id="svc-1", now=datetime.now(UTC),
                             skew=timedelta(minutes=2))  # fmt: skip
    observation = Observation(
        outcome_id=plan.outcome_id, note=f"Chopped the vegetables, note {n}",
        prompt_level="verbal cue", prompt_rung=2, ladder_rungs=5, confidence=1 + n % 10,
        steps_completed=n % 4, steps_of=3 + n % 2, mood=MOODS[n % len(MOODS)],
    )  # fmt: skip
    return EvidenceNote(envelope, plan.person_id, observation)
