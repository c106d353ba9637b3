"""progression: the evidence line of each outcome, baseline -> targeted support -> measurable
progress. Every stage change, setback, review and change of support hours as a dated entry (one
marked entered in error drops out from then on); and the evidence notes summarised per week
(prompt rungs, confidence, independence steps), kept up to date as notes arrive, late ones in
the week they took effect, and as notes are marked entered in error.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from domain.evidence_note import EvidenceNote
from domain.support_plan import SupportPlan
from projections.base import (
    Batch,
    Index,
    ReadModel,
    Row,
    Table,
    Tables,
    Transaction,
    handles,
    select_by_keys,
)
from projections.codec import AggregateCodec
from projections.evidence_notes import monday, notes_of
from projections.states import Moment, parameters

Plan: Any = SupportPlan
Note: Any = EvidenceNote
PLAN_LEVEL = ""  # the outcome id of entries about the whole plan (support hours)

ENTRY_COLUMNS = ("position", "record_id", "version", "person_id", "outcome_id", "tenant_id",
                 "kind", "stage_id", "summary", "detail", "effective_at", "recorded_at",
                 "actor_name")  # fmt: skip
# PostgreSQL's types of those columns, so they are copied in binary
ENTRY_TYPES = ("int8", "text", "int4", "text", "text", "text", "text", "text", "text", "text",
               "timestamptz", "timestamptz", "text")  # fmt: skip
WEEK_COLUMNS = ("person_id", "outcome_id", "week_start", "notes", "rungs", "confidence_sum",
                "confidence_count", "steps_completed", "steps_of", "refusals")  # fmt: skip


class Progression(ReadModel):
    name = "progression"
    version = 2
    tables: ClassVar[tuple[Table, ...]] = (
        Table(
            "progression_entries",
            """position BIGINT NOT NULL,
            record_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            person_id TEXT NOT NULL,
            outcome_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            stage_id TEXT,
            summary TEXT NOT NULL,
            detail TEXT NOT NULL,
            effective_at {timestamp} NOT NULL,
            recorded_at {timestamp} NOT NULL,
            actor_name TEXT NOT NULL,
            voided_at {timestamp}""",
            primary_key="position",
            indexes=(
                Index("by_outcome", "person_id, outcome_id, effective_at"),
                Index("by_record", "record_id, version"),
            ),
        ),
        Table(
            "progression_plans",
            "plan_id TEXT NOT NULL, person_id TEXT NOT NULL, tenant_id TEXT NOT NULL",
            primary_key="plan_id",
        ),
        Table(
            "progression_stages",
            "stage_id TEXT NOT NULL, plan_id TEXT NOT NULL, title TEXT NOT NULL",
            primary_key="plan_id, stage_id",
        ),
        Table(
            "evidence_weeks",
            """person_id TEXT NOT NULL,
            outcome_id TEXT NOT NULL,
            week_start TEXT NOT NULL,
            notes INTEGER NOT NULL,
            rungs TEXT NOT NULL,
            confidence_sum INTEGER NOT NULL,
            confidence_count INTEGER NOT NULL,
            steps_completed INTEGER NOT NULL,
            steps_of INTEGER NOT NULL,
            refusals INTEGER NOT NULL""",
            primary_key="person_id, outcome_id, week_start",
        ),
    )

    def __init__(self, codec: AggregateCodec) -> None:
        self.codec = codec  # a note entered in error is read back from its events

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        fold = _Fold(tx, tables)
        notes, plans = [], set()
        for _, event in batch:
            if isinstance(event, Note.Event):
                notes.append(self._note_of(event))
            else:
                plans.add(event.originator_id)
        fold.load_weeks(notes)  # the batch's few lookups made at once, not one by one
        fold.load_plans({str(plan) for plan in plans})
        for position, event in batch:
            self.handler(event)(self, fold, event, position)
        fold.write()

    def _note_of(self, event: Any) -> Any:
        """The note an event is about: itself, or the one a correction marks in error."""
        if not isinstance(event, Note.EnteredInError):
            return event
        return self.codec.history(event.originator_id, event.voided_version)[-1]

    # -- the plan's progression ----------------------------------------------------------------

    @handles(Plan.Drafted)
    def _drafted(self, fold: _Fold, event: Any, position: int) -> None:
        plan = (str(event.originator_id), event.person_id, event.envelope.tenant_id)
        fold.people[plan[0]] = plan[1:]
        fold.new_plans.append(plan)

    @handles(Plan.OutcomeAgreed)
    def _baseline(self, fold: _Fold, event: Any, position: int) -> None:
        terms = event.terms
        fold.entry(event, position, event.outcome_id, "baseline", None,
                   f"Baseline: {terms['baseline']} (target: {terms['target']})",
                   {"title": terms["title"], "baseline": terms["baseline"],
                    "target": terms["target"]})  # fmt: skip

    @handles(Plan.PathwayStageAdded)
    def _stage_added(self, fold: _Fold, event: Any, position: int) -> None:
        stage = event.stage
        fold.titles[(str(event.originator_id), stage.stage_id)] = stage.title
        fold.new_titles.append((stage.stage_id, str(event.originator_id), stage.title))
        fold.entry(event, position, event.outcome_id, "stage_added", stage.stage_id,
                   f"Stage planned: {stage.title}", {"exitCriteria": stage.exit_criteria,
                   "reviewDate": stage.review_date.isoformat()})  # fmt: skip

    @handles(Plan.StageStarted)
    def _stage_started(self, fold: _Fold, event: Any, position: int) -> None:
        title = fold.title(event, event.stage_id)
        moved = {"reviewDate": event.review_date.isoformat()} if event.review_date else {}
        fold.entry(event, position, event.outcome_id, "stage_started", event.stage_id,
                   f"Stage started: {title}", moved)  # fmt: skip

    @handles(Plan.StageProgressRecorded)
    def _progress(self, fold: _Fold, event: Any, position: int) -> None:
        title = fold.title(event, event.stage_id)
        fold.entry(event, position, event.outcome_id, "stage_progress", event.stage_id,
                   f"Progress at '{title}': {event.progress}", {})  # fmt: skip

    @handles(Plan.StageCompleted)
    def _completed(self, fold: _Fold, event: Any, position: int) -> None:
        title = fold.title(event, event.stage_id)
        fold.entry(event, position, event.outcome_id, "stage_completed", event.stage_id,
                   f"Stage completed: {title}", {"exitEvidence": event.exit_evidence})  # fmt: skip

    @handles(Plan.SetbackRecorded)
    def _setback(self, fold: _Fold, event: Any, position: int) -> None:
        title = fold.title(event, event.stage_id)
        fold.entry(event, position, event.outcome_id, "setback", event.stage_id,
                   f"Setback at '{title}': {event.what_happened}",
                   {"whatHappened": event.what_happened, "whatWasDone": event.what_was_done,
                    "response": event.response})  # fmt: skip

    @handles(Plan.StageSteppedBack)
    def _stepped_back(self, fold: _Fold, event: Any, position: int) -> None:
        left, back = fold.title(event, event.from_stage_id), fold.title(event, event.to_stage_id)
        fold.entry(event, position, event.outcome_id, "stage_stepped_back", event.to_stage_id,
                   f"Stepped back from '{left}' to '{back}'",
                   {"fromStageId": event.from_stage_id})  # fmt: skip

    @handles(Plan.SupportHoursSet, Plan.SupportHoursReduced, Plan.SupportHoursIncreased)
    def _hours(self, fold: _Fold, event: Any, position: int) -> None:
        after = event.hours_per_week if hasattr(event, "hours_per_week") else event.after
        fold.entry(event, position, PLAN_LEVEL, "hours", None,
                   f"Support hours: {after:g} a week", {"hoursPerWeek": after})  # fmt: skip

    @handles(Plan.ReviewHeld)
    def _review(self, fold: _Fold, event: Any, position: int) -> None:
        fold.entry(event, position, PLAN_LEVEL, "review", None, "Review held",
                   {"reviewId": event.review_id, "decisions": event.decisions})  # fmt: skip

    @handles(Plan.EnteredInError)
    def _entered_in_error(self, fold: _Fold, event: Any, position: int) -> None:
        fold.voided.append({"record": str(event.originator_id), "at": event.timestamp,
                            "version": event.voided_version})  # fmt: skip

    # -- evidence ------------------------------------------------------------------------------

    @handles(Note.Recorded)
    def _note(self, fold: _Fold, event: Any, position: int) -> None:
        fold.note(event, +1)

    @handles(Note.EnteredInError)
    def _note_entered_in_error(self, fold: _Fold, event: Any, position: int) -> None:
        if event.voided_version == 1:  # a note has one fact: without it, it was never written
            fold.note(self._note_of(event), -1)


class _Fold:
    """One batch's effect, gathered in memory and written once."""

    def __init__(self, tx: Transaction, tables: Tables) -> None:
        self.tx, self.tables = tx, tables
        self.entries: list[tuple[Any, ...]] = []
        self.voided: list[Row] = []  # entries marked entered in error: plan, version, when
        self.weeks: dict[tuple[str, str, str], Row] = {}
        self.stored_weeks: set[tuple[str, str, str]] = set()
        self.titles: dict[tuple[str, str], str] = {}
        self.new_titles: list[tuple[str, str, str]] = []
        self.people: dict[str, tuple[str, str]] = {}  # plan id -> (person, tenant)
        self.new_plans: list[tuple[str, str, str]] = []

    def title(self, event: Any, stage_id: str) -> str:
        key = (str(event.originator_id), stage_id)
        if key not in self.titles:
            row = self.tx.fetchone(
                f"SELECT title FROM {self.tables['progression_stages']} "
                "WHERE plan_id = %(plan)s AND stage_id = %(stage)s",
                {"plan": key[0], "stage": stage_id},
            )
            self.titles[key] = row["title"] if row else stage_id
        return self.titles[key]

    def person_of(self, event: Any) -> tuple[str, str]:
        plan_id = str(event.originator_id)
        if plan_id not in self.people:
            row = self.tx.fetchone(
                f"SELECT person_id, tenant_id FROM {self.tables['progression_plans']} "
                "WHERE plan_id = %(plan)s",
                {"plan": plan_id},
            )
            self.people[plan_id] = (row["person_id"], row["tenant_id"]) if row else ("", "")
        return self.people[plan_id]

    def entry(self, event: Any, position: int, outcome_id: str, kind: str,
              stage_id: str | None, summary: str, detail: dict[str, Any]) -> None:  # fmt: skip
        person_id, tenant_id = self.person_of(event)
        envelope = event.envelope
        self.entries.append((position, str(event.originator_id), event.originator_version,
                             person_id, outcome_id, tenant_id, kind, stage_id, summary,
                             json.dumps(detail), envelope.effective_at, event.timestamp,
                             envelope.actor.name))  # fmt: skip

    def note(self, event: Any, sign: int) -> None:
        """Counts a note in its week's summary (sign +1), or takes it out (-1)."""
        seen, key = event.observation, _week_key(event)
        summary = self.weeks.get(key) or _empty_week(*key)
        _count(summary, seen.prompt_rung, seen.prompt_level, seen.confidence,
               seen.steps_completed, seen.steps_of, seen.refused, sign)  # fmt: skip
        self.weeks[key] = summary

    def load_plans(self, plan_ids: set[str]) -> None:
        """Reads whose these plans are, and their stages' titles, all at once."""
        plans = sorted(plan_ids)
        for row in select_by_keys(self.tx, self.tables["progression_plans"], "plan_id", plans,
                                  "person_id, tenant_id"):  # fmt: skip
            self.people[row["plan_id"]] = (row["person_id"], row["tenant_id"])
        for row in select_by_keys(self.tx, self.tables["progression_stages"], "plan_id", plans,
                                  "stage_id, title"):  # fmt: skip
            self.titles[(row["plan_id"], row["stage_id"])] = row["title"]

    def load_weeks(self, notes: list[Any]) -> None:
        """Reads the stored summaries of the weeks these notes fall in, all at once."""
        keys = list({_week_key(note) for note in notes})
        table = self.tables["evidence_weeks"]
        for start in range(0, len(keys), 300):
            chunk = keys[start : start + 300]
            params = {f"{name}{n}": value for n, key in enumerate(chunk)
                      for name, value in zip("pow", key, strict=True)}  # fmt: skip
            wanted = ", ".join(f"(%(p{n})s, %(o{n})s, %(w{n})s)" for n in range(len(chunk)))
            for row in self.tx.fetchall(
                f"SELECT * FROM {table} WHERE (person_id, outcome_id, week_start) IN ({wanted})",
                params,
            ):
                key = (row["person_id"], row["outcome_id"], row["week_start"])
                self.weeks[key] = {**dict(row), "rungs": json.loads(row["rungs"])}
                self.stored_weeks.add(key)

    def write(self) -> None:
        tables, tx = self.tables, self.tx
        tx.copy(tables["progression_entries"], ENTRY_COLUMNS, self.entries, ENTRY_TYPES)
        tx.copy(tables["progression_plans"], ("plan_id", "person_id", "tenant_id"), self.new_plans)
        tx.copy(tables["progression_stages"], ("stage_id", "plan_id", "title"), self.new_titles)
        tx.executemany(
            f"UPDATE {tables['progression_entries']} SET voided_at = %(at)s "
            "WHERE record_id = %(record)s AND version = %(version)s",
            self.voided,
        )
        if self.weeks:
            weeks = tables["evidence_weeks"]
            tx.executemany(
                f"DELETE FROM {weeks} WHERE person_id = %(person_id)s "
                "AND outcome_id = %(outcome_id)s AND week_start = %(week_start)s",
                [self.weeks[key] for key in self.stored_weeks],
            )
            tx.copy(weeks, WEEK_COLUMNS, [
                tuple(json.dumps(w[c], sort_keys=True) if c == "rungs" else w[c]
                      for c in WEEK_COLUMNS) for w in self.weeks.values()
            ])  # fmt: skip


# -- queries ---------------------------------------------------------------------------------


def timeline_entries(
    tx: Transaction, person_id: str, outcome_id: str, since: datetime, until: datetime,
    moment: Moment,
) -> list[Row]:  # fmt: skip
    """The outcome's entries and the plan's (support hours, reviews) that took effect between
    the two times (and by the moment's asOf), in the order they took effect, as recorded by the
    moment's asKnownAt (those known by then to be entered in error left out)."""
    return tx.fetchall(
        "SELECT * FROM progression_entries WHERE person_id = %(person)s "
        "AND outcome_id IN (%(outcome)s, %(plan)s) AND effective_at >= %(since)s "
        "AND effective_at <= %(until)s AND effective_at <= %(as_of)s "
        "AND recorded_at <= %(known_at)s AND (voided_at IS NULL OR voided_at > %(known_at)s) "
        "ORDER BY effective_at, position",
        {"person": person_id, "outcome": outcome_id, "plan": PLAN_LEVEL, "since": since,
         "until": until, **parameters(moment)},
    )  # fmt: skip


def evidence_by_week(
    tx: Transaction, person_id: str, outcome_id: str, since: datetime, until: datetime,
    moment: Moment,
) -> list[Row]:  # fmt: skip
    """The outcome's evidence summarised per week. As it stands now, the weeks kept up to date
    by the read model; at another moment, summarised from the notes as they stood then."""
    first, last = monday(since), min(until, moment.as_of).date().isoformat()
    if moment.now:
        rows = tx.fetchall(
            "SELECT * FROM evidence_weeks WHERE person_id = %(person)s "
            "AND outcome_id = %(outcome)s AND week_start >= %(first)s "
            "AND week_start <= %(last)s AND notes > 0 ORDER BY week_start",
            {"person": person_id, "outcome": outcome_id, "first": first, "last": last},
        )
        return [{**dict(row), "rungs": json.loads(row["rungs"])} for row in rows]
    weeks: dict[str, Row] = {}
    for note in notes_of(tx, person_id, outcome_id, first, last, moment):
        week = weeks.setdefault(note["week_start"], _empty_week(person_id, outcome_id,
                                                                note["week_start"]))  # fmt: skip
        _count(week, note["prompt_rung"], note["prompt_level"], note["confidence"],
               note["steps_completed"], note["steps_of"], bool(note["refused"]), +1)  # fmt: skip
    return [weeks[week] for week in sorted(weeks)]


def median_rung(rungs: dict[str, int]) -> tuple[int, str] | None:
    """The (lower) median rung of a week's notes, and its name; None if no note named one."""
    counted = sorted((int(key.split(":", 1)[0]), key.split(":", 1)[1], count)
                     for key, count in rungs.items())  # fmt: skip
    total = sum(count for *_, count in counted)
    if not total:
        return None
    seen = 0
    for rung, level, count in counted:
        seen += count
        if seen * 2 >= total:
            return rung, level
    return None  # unreachable: the counts add up to the total


def _week_key(note: Any) -> tuple[str, str, str]:
    """The week summary a note counts in: (person, outcome, week's Monday)."""
    return note.person_id, note.observation.outcome_id, monday(note.envelope.effective_at)


def _empty_week(person_id: str, outcome_id: str, week: str) -> Row:
    return {"person_id": person_id, "outcome_id": outcome_id, "week_start": week, "notes": 0,
            "rungs": {}, "confidence_sum": 0, "confidence_count": 0, "steps_completed": 0,
            "steps_of": 0, "refusals": 0}  # fmt: skip


def _count(week: Row, rung: int | None, level: str | None, confidence: int | None,
           completed: int | None, of: int | None, refused: bool, sign: int) -> None:  # fmt: skip
    week["notes"] += sign
    if rung is not None:
        key = f"{rung}:{level}"
        week["rungs"][key] = week["rungs"].get(key, 0) + sign
        if not week["rungs"][key]:
            del week["rungs"][key]
    if confidence is not None:
        week["confidence_sum"] += sign * confidence
        week["confidence_count"] += sign
    if of is not None:
        week["steps_completed"] += sign * (completed or 0)
        week["steps_of"] += sign * of
    week["refusals"] += sign * int(refused)
