"""The words the demo people's stories are written in: plan changes, a step-down pathway taken
stage by stage, setbacks, reviews held with the person, and evidence notes several times a
week, each written as staff would have written it, on the day it took effect (or, for a late
entry, a little after)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from domain.care_records import Written
from domain.commands import Command
from domain.evidence_note import RecordEvidenceNote
from domain.pathway import SetbackResponse
from domain.progression_commands import (
    AddPathwayStage,
    CompleteStage,
    HoldReview,
    RecordSetback,
    RecordStageProgress,
    ScheduleReview,
    StartStage,
)
from infra.demo.loader import DemoLoader

STEP_BACK, REPEAT_STAGE = SetbackResponse.STEP_BACK, SetbackResponse.REPEAT_STAGE
NOTE_WRITERS = ("priya", "priya", "tom")
NOTE_WEEKDAYS = {2: (0, 3), 3: (0, 2, 4), 4: (0, 2, 4, 5)}  # days into each week, by notes a week


@dataclass
class Journey:
    """One person's records as the demo writes them, and the ids later entries refer to."""

    loader: DemoLoader
    person_id: str
    outcome_id: str  # their first outcome, the one the pathway and the notes are about
    stage_ids: list[str] = field(default_factory=list)
    review_id: str = ""  # the review scheduled and not yet held

    def run(self, who: str, days_ago: int, command: Command, reason: str | None = None) -> Written:
        return self.loader.run(who, days_ago, command, reason)

    def stage(self, number: int) -> str:
        return self.stage_ids[number - 1]


@dataclass(frozen=True)
class Entry:
    """Something that took effect `days_ago`; a late entry is written `written` days ago,
    after what took effect in between."""

    days_ago: int
    act: Callable[[Journey], Any]
    written: int | None = None

    @property
    def written_days_ago(self) -> int:
        return self.days_ago if self.written is None else self.written


def in_written_order(entries: Iterable[Entry]) -> list[Entry]:
    """Oldest first; entries written on one day keep the order they are listed in."""
    return sorted(entries, key=lambda entry: -entry.written_days_ago)


def change(
    who: str,
    days_ago: int,
    command: Callable[[Journey], Command],
    reason: str,
    written: int | None = None,
) -> Entry:
    return Entry(days_ago, lambda j: j.run(who, days_ago, command(j), reason), written)


# -- the step-down pathway -------------------------------------------------------------------


@dataclass(frozen=True)
class StagePlan:
    title: str
    staff_will: str
    exit_criteria: str
    review_weeks: int  # after the pathway is agreed
    escalation_triggers: tuple[str, ...]
    technique: str | None = None  # the one staff rely on at this stage, if it names one


def pathway(who: str, days_ago: int, reason: str, *stages: StagePlan) -> Entry:
    def add(j: Journey) -> None:
        for stage in stages:
            review_on = j.loader.review_date(days_ago, stage.review_weeks)
            command = AddPathwayStage(j.person_id, j.outcome_id, stage.title, stage.staff_will,
                                      stage.exit_criteria, review_on,
                                      list(stage.escalation_triggers),
                                      stage.technique)  # fmt: skip
            j.stage_ids.append(j.run(who, days_ago, command, reason).part_id or "")

    return Entry(days_ago, add)


def start(who: str, days_ago: int, stage: int, reason: str) -> Entry:
    def command(j: Journey) -> Command:
        return StartStage(j.person_id, j.outcome_id, j.stage(stage))

    return change(who, days_ago, command, reason)


def progress(who: str, days_ago: int, stage: int, what: str) -> Entry:
    def command(j: Journey) -> Command:
        return RecordStageProgress(j.person_id, j.outcome_id, j.stage(stage), what)

    return change(who, days_ago, command, "Fortnightly stage check")


def complete(who: str, days_ago: int, stage: int, exit_evidence: str) -> Entry:
    def command(j: Journey) -> Command:
        return CompleteStage(j.person_id, j.outcome_id, j.stage(stage), exit_evidence)

    return change(who, days_ago, command, "Exit criteria met")


def setback(
    who: str,
    days_ago: int,
    stage: int,
    happened: str,
    done: str,
    response: SetbackResponse,
    reason: str,
    written: int | None = None,
) -> Entry:
    def command(j: Journey) -> Command:
        return RecordSetback(j.person_id, j.outcome_id, j.stage(stage), happened, done, response)

    return change(who, days_ago, command, reason, written)


# -- reviews ---------------------------------------------------------------------------------


def schedule(who: str, days_ago: int, due_days_ago: int, reason: str) -> Entry:
    def act(j: Journey) -> None:
        due_on = (j.loader.now - timedelta(days=due_days_ago)).date()
        written = j.run(who, days_ago, ScheduleReview(j.person_id, due_on), reason)
        j.review_id = written.part_id or ""

    return Entry(days_ago, act)


@dataclass(frozen=True)
class Held:
    """A review as held with the person: what it found, their views in their own words, and
    what it decided (always the next review; support hours or moving on a stage if given)."""

    what_worked: str
    new_strengths: tuple[str, ...]
    support_can_reduce: bool | None
    barriers: str
    new_goals: tuple[str, ...]
    views: str
    next_review_weeks: int
    support_hours: float | None = None
    advance_stage: bool = False


def hold(days_ago: int, reason: str, held: Held) -> Entry:
    def act(j: Journey) -> None:
        command = HoldReview(
            j.person_id, j.review_id, person_attended=True, person_contributed=True,
            person_views=held.views, what_worked=held.what_worked,
            new_strengths=list(held.new_strengths), support_can_reduce=held.support_can_reduce,
            barriers=held.barriers, new_goals=list(held.new_goals),
            decide_support_hours=held.support_hours,
            decide_advance_stage_of=j.outcome_id if held.advance_stage else None,
            decide_next_review_on=j.loader.review_date(days_ago, held.next_review_weeks),
        )  # fmt: skip
        j.review_id = j.run("helen", days_ago, command, reason).part_id or ""

    return Entry(days_ago, act)


# -- evidence notes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One evidence note: what happened, the rung of the service's prompt ladder needed, the
    person's confidence (1-10, as they put it) and independence steps (done, out of)."""

    text: str
    level: str | None = None
    confidence: int | None = None
    steps: tuple[int, int] | None = None
    refused: bool = False
    mood: str | None = None


def note(who: str, days_ago: int, seen: Seen, written: int | None = None) -> Entry:
    return Entry(days_ago, partial(_record_note, who, days_ago, seen), written)


def _record_note(who: str, days_ago: int, seen: Seen, j: Journey) -> Written:
    done, of = seen.steps or (None, None)
    command = RecordEvidenceNote(j.person_id, j.outcome_id, seen.text, seen.level,
                                 seen.confidence, done, of, seen.refused, seen.mood)  # fmt: skip
    return j.run(who, days_ago, command)


@dataclass(frozen=True)
class Phase:
    """Evidence notes over a stretch of days, `first` to `last` days ago: the prompt rungs
    named in turn as the stretch goes on, confidence and steps done rising from one value to
    another, and the words and moods of the notes taken in turn."""

    first: int
    last: int
    levels: tuple[str, ...]
    confidence: tuple[int, int]
    steps: tuple[int, int]
    words: tuple[str, ...]
    moods: tuple[str | None, ...] = (None,)
    per_week: int = 3


def evidence(steps_of: int, *phases: Phase) -> list[Entry]:
    """The routine notes of each phase, `steps_of` independence steps each."""
    return [entry for phase in phases for entry in _phase_notes(steps_of, phase)]


def _phase_notes(steps_of: int, phase: Phase) -> list[Entry]:
    weekdays = NOTE_WEEKDAYS[phase.per_week]
    days = [d for d in range(phase.first, phase.last - 1, -1) if (phase.first - d) % 7 in weekdays]
    entries = []
    for n, day in enumerate(days):
        at = n / max(1, len(days) - 1)  # how far through the phase, 0 to 1
        level = phase.levels[min(int(at * len(phase.levels)), len(phase.levels) - 1)]
        seen = Seen(phase.words[n % len(phase.words)], level, _between(phase.confidence, at),
                    (_between(phase.steps, at), steps_of),
                    mood=phase.moods[n % len(phase.moods)])  # fmt: skip
        entries.append(note(NOTE_WRITERS[n % len(NOTE_WRITERS)], day, seen))
    return entries


def _between(values: tuple[int, int], at: float) -> int:
    return round(values[0] + (values[1] - values[0]) * at)
