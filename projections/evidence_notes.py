"""evidence_notes: every evidence note as it stands, and every state it has been in (a note is
written once, so its states change only when it is marked entered in error: from then on it is
no longer part of what the record says, while reads as known before still see it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from domain.evidence_note import EvidenceNote
from projections.base import Event, Index, Row, Table, Transaction
from projections.folding import RecordTable
from projections.marks import Mark, marks_table
from projections.states import Moment, latest_states, parameters, state_at, states_table

COLUMNS = """note_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    outcome_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    week_start TEXT NOT NULL,
    effective_at {timestamp} NOT NULL,
    note TEXT NOT NULL,
    prompt_rung INTEGER,
    prompt_level TEXT,
    confidence INTEGER,
    steps_completed INTEGER,
    steps_of INTEGER,
    refused BOOLEAN NOT NULL,
    mood TEXT,
    version INTEGER NOT NULL,
    recorded_at {timestamp} NOT NULL"""


class EvidenceNotes(RecordTable):
    name = "evidence_notes"
    version = 2
    aggregate = EvidenceNote
    key = "note_id"
    marks = "evidence_note_marks"
    keeps_state = False  # written once: replayed from its events in the rare case it changes
    states = "evidence_note_states"
    state_columns = ("note_id", "person_id", "outcome_id", "tenant_id", "week_start",
                     "effective_at", "note", "prompt_rung", "prompt_level", "confidence",
                     "steps_completed", "steps_of", "refused", "mood", "version",
                     "recorded_at")  # fmt: skip
    tables = (
        Table("evidence_notes", COLUMNS, primary_key="note_id",
              indexes=(Index("by_outcome", "person_id, outcome_id, effective_at"),)),
        states_table("evidence_note_states", "note_id", COLUMNS,
                     Index("by_outcome", "person_id, outcome_id, effective_from")),
        marks_table("evidence_note_marks"),
    )  # fmt: skip

    def points(self, before: EvidenceNote | None, event: Any) -> list[Mark]:
        """A note written (whose words the language audit reads), and the independence steps
        it records."""
        if before is not None or type(event).__name__ != "Recorded":
            return []
        seen, item = event.observation, str(event.originator_version)
        marks = [Mark("note_written", item, detail=seen.note)]
        if seen.steps_completed:
            marks.append(Mark("independence_steps", item, detail=str(seen.steps_completed)))
        return marks

    def row(self, note: EvidenceNote, first_position: int, last_event: Event) -> Row:
        seen = note.observation
        return {
            "note_id": str(note.id), "person_id": note.person_id,
            "outcome_id": seen.outcome_id, "tenant_id": note.tenant_id,
            "week_start": monday(note.began_at or note.created_on), "effective_at": note.began_at,
            "note": seen.note, "prompt_rung": seen.prompt_rung, "prompt_level": seen.prompt_level,
            "confidence": seen.confidence, "steps_completed": seen.steps_completed,
            "steps_of": seen.steps_of, "refused": seen.refused, "mood": seen.mood,
            "version": note.version, "recorded_at": note.created_on,
        }  # fmt: skip


@lru_cache(maxsize=1024)
def _monday(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


def monday(moment: datetime) -> str:
    """The Monday (UTC) of the week an instant falls in, as an ISO date."""
    return _monday(moment.date())


def notes_of(
    tx: Transaction, person_id: str, outcome_id: str, first_week: str, last_day: str,
    moment: Moment,
) -> list[Row]:  # fmt: skip
    """An outcome's notes in the weeks from `first_week` to `last_day`, as they stood at the
    moment: effective by then, recorded by then, and not known by then to be in error."""
    return tx.fetchall(
        f"SELECT n.* FROM ({latest_states('evidence_note_states', 'note_id')}) n "
        "WHERE n.person_id = %(person)s AND n.outcome_id = %(outcome)s "
        "AND n.week_start >= %(first)s AND n.week_start <= %(last)s ORDER BY n.effective_at",
        {"person": person_id, "outcome": outcome_id, "first": first_week, "last": last_day,
         **parameters(moment)},
    )  # fmt: skip


def notes_of_person(
    tx: Transaction, person_id: str, moment: Moment, after: tuple[datetime, str] | None,
    first: int,
) -> list[Row]:  # fmt: skip
    """A person's notes about any outcome as they stood at the moment, in order of when they
    took effect, after the (effective time, note id) `after`; one row more than asked."""
    later = ("AND (n.effective_at > %(after_at)s OR (n.effective_at = %(after_at)s "
             "AND n.note_id > %(after_id)s)) " if after else "")  # fmt: skip
    after_at, after_id = after or (None, None)
    return tx.fetchall(
        f"SELECT n.* FROM ({latest_states('evidence_note_states', 'note_id')}) n "
        f"WHERE n.person_id = %(person)s {later}ORDER BY n.effective_at, n.note_id "
        "LIMIT %(limit)s",
        {"person": person_id, "after_at": after_at, "after_id": after_id, "limit": first + 1,
         **parameters(moment)},
    )  # fmt: skip


def note_at(tx: Transaction, note_id: str, moment: Moment) -> Row | None:
    """One note as it stood at the moment (None if not yet written, or known in error)."""
    return state_at(tx, "evidence_note_states", "note_id", note_id, moment)
