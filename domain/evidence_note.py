"""Evidence notes: dated observations of a person's progress towards one outcome of their plan.

DOMAIN: the high-volume record (several a day per person, for years), so each note is a record
of its own: writing one never loads another, and the plan never grows with them. A note says
which rung of the service's prompt ladder the person needed, how confident they said they
felt (1-10, as they put it), how many of the outcome's independence steps they completed, a
refusal, their mood and what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from annotated_types import Ge, Le
from eventsourcing.domain import event

from domain.commands import STAFF, Command, Creation, Key, LongText, Name, NewIds, Records, Seal
from domain.envelope import Envelope
from domain.errors import Rules
from domain.person import Person
from domain.publishing import PERSON_ID, Field, PublishedEvent, value_of
from domain.record import Record
from domain.record_type import RecordType
from domain.service_practice import prompt_ladder
from domain.support_plan import SupportPlan

Confidence = Annotated[int, Ge(1), Le(10)]
Steps = Annotated[int, Ge(0), Le(100)]


@dataclass(frozen=True)
class Observation:
    outcome_id: str
    note: str
    prompt_level: str | None = None
    prompt_rung: int | None = None  # 0 is the ladder's most independent rung
    ladder_rungs: int | None = None
    confidence: int | None = None
    steps_completed: int | None = None
    steps_of: int | None = None
    refused: bool = False
    mood: str | None = None


class EvidenceNote(Record):
    @event("Recorded")
    def __init__(
        self, envelope: Envelope, person_id: str, observation: Observation, id: UUID | None = None
    ) -> None:
        self.tenant_id = envelope.tenant_id
        self.person_id = person_id
        self.observation = observation


@dataclass(frozen=True)
class RecordEvidenceNote(Command):
    """Record an evidence note against one of the person's outcomes."""

    person_id: Key
    outcome_id: Key
    note: LongText
    prompt_level: Name | None = None
    confidence: Confidence | None = None
    steps_completed: Steps | None = None
    steps_of: Steps | None = None
    refused: bool = False
    mood: Name | None = None


def record_note(
    records: Records, command: RecordEvidenceNote, seal: Seal, ids: NewIds
) -> EvidenceNote:
    person = records.owned(Person, command.person_id, "personId")
    envelope = seal(person.service_id)  # before anything of the person's records is revealed
    missing = f"no support plan for person {command.person_id}: draft one first"
    plan = records.owned(SupportPlan, SupportPlan.create_id(str(person.id)), "personId", missing)
    ladder = prompt_ladder(records, person.service_id)
    rules = Rules()
    outcome = plan.outcomes.get(command.outcome_id)
    rules.check(outcome is not None and not outcome.retired, "evidence.outcome.unknown",
                "outcomeId", f"the plan has no active outcome {command.outcome_id}")  # fmt: skip
    agreed = outcome.agreed_at if outcome else None
    rules.check(agreed is None or envelope.effective_at >= agreed,
                "evidence.effective_before_outcome", "effectiveAt",
                "a note cannot be about a time before its outcome was agreed")  # fmt: skip
    rules.require_text(command.note, "evidence.note_required", "note", "what happened")
    level = command.prompt_level.strip() if command.prompt_level else None
    rules.check(level is None or level in ladder, "evidence.prompt_level.unknown", "promptLevel",
                f"a rung of the service's prompt ladder: {ladder}")  # fmt: skip
    completed, of = command.steps_completed, command.steps_of
    rules.check((completed is None) == (of is None), "evidence.steps.incomplete", "stepsOf",
                "give the steps completed and how many there were, or neither")  # fmt: skip
    rules.check(completed is None or of is None or completed <= of,
                "evidence.steps.more_than_total", "stepsCompleted",
                "more steps completed than there were")  # fmt: skip
    rules.enforce()
    observation = Observation(
        outcome_id=command.outcome_id, note=command.note.strip(), prompt_level=level,
        prompt_rung=ladder.index(level) if level else None,
        ladder_rungs=len(ladder) if level else None, confidence=command.confidence,
        steps_completed=completed, steps_of=of, refused=command.refused,
        mood=command.mood.strip() if command.mood else None,
    )  # fmt: skip
    return EvidenceNote(envelope, str(person.id), observation, id=ids.record())


COMMANDS = [Creation(RecordEvidenceNote, STAFF, record_note)]


# -- published payloads (domain.publishing) ---------------------------------------------------

OBSERVATION = {"outcome_id": "outcomeId", "note": "note", "prompt_level": "promptLevel",
               "prompt_rung": "promptRung", "ladder_rungs": "ladderRungs",
               "confidence": "confidence", "steps_completed": "stepsCompleted",
               "steps_of": "stepsOf", "refused": "refused", "mood": "mood"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("EvidenceNote.Recorded", 1, "An evidence note about one outcome", (
        PERSON_ID,
        Field("observation", "outcomeId, note, promptLevel (a rung of the service's prompt "
              "ladder, or null), promptRung (0 = most independent), ladderRungs, confidence "
              "(1-10, as the person put it), stepsCompleted, stepsOf, refused, mood",
              value_of("observation", OBSERVATION)))),
)  # fmt: skip


RECORD_TYPE = RecordType(
    EvidenceNote, COMMANDS, PUBLISHED, value_types={"observation": Observation}
)
