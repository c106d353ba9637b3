"""plan_versions: every change to a plan, described from its event and the plan as it stood just
before the change took effect (a field or two looked up), never by building and comparing whole
documents. A change marked entered in error keeps its row, with who marked it, when and why; the
correction has a row of its own, undoing what the change did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from domain.outcome import Outcome
from domain.pathway import SetbackResponse, Stage
from domain.support_plan import SupportPlan
from projections.base import Index, Row, Table, Tables, Transaction, handles
from projections.event_records import camel, jsonable

# The library makes each @event method's event class; type checkers cannot see them.
Plan: Any = SupportPlan

VERSION_COLUMNS = (
    "plan_id", "version", "person_id", "position", "event_type", "recorded_at", "effective_at",
    "actor_id", "actor_name", "actor_role", "reason", "summary", "changes", "causation_id",
)  # fmt: skip
VERSIONS = Table(
    "plan_versions",
    """plan_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    recorded_at {timestamp} NOT NULL,
    effective_at {timestamp} NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    reason TEXT,
    summary TEXT NOT NULL,
    changes TEXT NOT NULL,
    causation_id TEXT,
    voided_at {timestamp},
    voided_by_version INTEGER""",
    primary_key="plan_id, version",
    indexes=(Index("by_person", "person_id, version"),),
)


def changed(field: str, before: Any, after: Any) -> dict[str, Any]:
    """One field a change touched (a dotted path in the plan document), before and after."""
    return {"field": field, "before": jsonable(before), "after": jsonable(after)}


@dataclass(frozen=True)
class Voided:
    """A change marked entered in error: its row is flagged, and the correction described."""

    event: Any
    position: int
    person_id: str


class DescribedVersions:
    """The plan read model's handlers, one per kind of change: each returns its version row."""

    @handles(Plan.Drafted)
    def _drafted(self, plan: None, event: Any, position: int) -> tuple[Any, ...]:
        changes = [
            changed("status", None, "draft"),
            changed("assessmentId", None, event.assessment_id),
            changed("assessedStrengths", None, list(event.strengths)),
        ]
        summary = f"Plan drafted from assessment {event.assessment_id}"
        return version(event, position, event.person_id, summary, changes)

    @handles(Plan.OutcomeAgreed)
    def _outcome_agreed(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        outcome = Outcome(outcome_id=event.outcome_id, **event.terms)
        change = changed(f"outcomes.{event.outcome_id}", None, outcome_document(outcome))
        summary = f"Outcome agreed: {outcome.title}"
        return version(event, position, plan.person_id, summary, [change])

    @handles(Plan.EnablementStepAdded)
    def _step_added(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        step = event.step
        path = f"outcomes.{event.outcome_id}.steps.{step.step_id}"
        summary = f"Enablement step for '{title(plan, event.outcome_id)}': {step.weekly_micro_step}"
        return version(event, position, plan.person_id, summary, [changed(path, None, step)])

    # Before-values come from the plan as it stood when the change took effect, which for a
    # late entry is not what the event's own `before` says (the plan as it was decided on).

    @handles(Plan.StaffGuidanceWritten, Plan.StaffGuidanceRewritten)
    def _guidance(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        previous = plan.staff_guidance
        summary = "Staff guidance rewritten" if previous else "Staff guidance written"
        change = changed("staffGuidance", previous, event.guidance)
        return version(event, position, plan.person_id, summary, [change])

    @handles(Plan.SupportHoursSet, Plan.SupportHoursReduced, Plan.SupportHoursIncreased)
    def _hours(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        before = plan.support_hours_per_week
        after = event.hours_per_week if hasattr(event, "hours_per_week") else event.after
        if before is None or before == after:
            summary = f"Support hours set to {after:g} a week"
        else:
            direction = "reduced" if after < before else "increased"
            summary = f"Support hours {direction} to {after:g} a week (were {before:g})"
        change = changed("supportHoursPerWeek", before, after)
        return version(event, position, plan.person_id, summary, [change])

    @handles(Plan.NextReviewDateSet, Plan.NextReviewBroughtForward, Plan.NextReviewPostponed)
    def _review_date(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        before = plan.next_review_date
        after = event.review_date if hasattr(event, "review_date") else event.after
        if before is None or before == after:
            summary = f"Next review set for {after.isoformat()}"
        else:
            moved = "brought forward" if after < before else "postponed"
            summary = f"Next review {moved} to {after.isoformat()} (was {before})"
        change = changed("nextReviewDate", before, after)
        return version(event, position, plan.person_id, summary, [change])

    @handles(Plan.OutcomeRevised)
    def _outcome_revised(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        outcome = plan.outcomes[event.outcome_id]
        changes = [
            changed(f"outcomes.{event.outcome_id}.{camel(name)}", getattr(outcome, name), value)
            for name, value in event.changes.items()
        ]
        named = event.changes.get("title", outcome.title)
        terms = ", ".join(name.replace("_", " ") for name in event.changes)
        summary = f"Outcome '{named}' revised: {terms}"
        return version(event, position, plan.person_id, summary, changes)

    @handles(Plan.OutcomeRetired)
    def _outcome_retired(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        change = changed(f"outcomes.{event.outcome_id}.status", "active", "retired")
        summary = f"Outcome '{title(plan, event.outcome_id)}' retired"
        return version(event, position, plan.person_id, summary, [change])

    @handles(Plan.Agreed)
    def _agreed(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        change = changed("status", "draft", "agreed")
        return version(event, position, plan.person_id, "Plan agreed", [change])

    # -- the step-down pathway and reviews -----------------------------------------------------

    @handles(Plan.PathwayStageAdded)
    def _stage_added(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        stage = event.stage
        path = f"outcomes.{event.outcome_id}.stages.{stage.stage_id}"
        summary = f"Stage added to '{title(plan, event.outcome_id)}': {stage.title}"
        return version(event, position, plan.person_id, summary,
                       [changed(path, None, stage_document(stage))])  # fmt: skip

    @handles(Plan.StageStarted, Plan.StageCompleted, Plan.StageProgressRecorded,
             Plan.SetbackRecorded)  # fmt: skip
    def _stage_moved(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        stage = stage_of(plan, event.outcome_id, event.stage_id)
        path = f"outcomes.{event.outcome_id}.stages.{event.stage_id}.status"
        named = stage.title if stage else event.stage_id
        before: str | None = stage.status if stage else None
        after: str | None
        kind = type(event).__name__
        if kind == "StageStarted":
            summary, after = f"Stage started: {named}", "current"
        elif kind == "StageCompleted":
            summary, after = f"Stage completed: {named} ({event.exit_evidence})", "completed"
        elif kind == "StageProgressRecorded":
            summary, after = f"Progress at '{named}': {event.progress}", before
        else:
            summary = f"Setback at '{named}': {event.what_happened}"
            after = "current" if event.response == SetbackResponse.REPEAT_STAGE else before
        changes = [changed(path, before, after)] if before != after else []
        moved = getattr(event, "review_date", None)  # a late start sets the stage's review date
        if stage is not None and moved is not None and moved != stage.review_date:
            changes.append(changed(path.replace(".status", ".reviewDate"), stage.review_date,
                                   moved))  # fmt: skip
        return version(event, position, plan.person_id, summary, changes)

    @handles(Plan.StageSteppedBack)
    def _stepped_back(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        left = stage_of(plan, event.outcome_id, event.from_stage_id)
        back = stage_of(plan, event.outcome_id, event.to_stage_id)
        stages = f"outcomes.{event.outcome_id}.stages"
        summary = (f"Stepped back from '{left.title if left else event.from_stage_id}' to "
                   f"'{back.title if back else event.to_stage_id}'")  # fmt: skip
        changes = [
            changed(f"{stages}.{event.from_stage_id}.status", left and left.status, "planned"),
            changed(f"{stages}.{event.to_stage_id}.status", back and back.status, "current"),
        ]
        return version(event, position, plan.person_id, summary, changes)

    @handles(Plan.ReviewScheduled)
    def _review_scheduled(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        change = changed("nextReviewDate", plan.next_review_date, event.due_on)
        summary = f"Review scheduled for {event.due_on.isoformat()}"
        return version(event, position, plan.person_id, summary, [change])

    @handles(Plan.ReviewHeld)
    def _review_held(self, plan: SupportPlan, event: Any, position: int) -> tuple[Any, ...]:
        decided = ", ".join(name.replace("_", " ") for name in event.decisions) or "nothing"
        summary = f"Review held; decided: {decided}"
        change = changed(f"reviews.{event.review_id}.heldAt", None, event.envelope.effective_at)
        return version(event, position, plan.person_id, summary, [change])

    @handles(Plan.EnteredInError)
    def _entered_in_error(self, plan: SupportPlan | None, event: Any, position: int) -> Voided:
        return Voided(event, position, plan.person_id if plan else "")


def write_versions(tx: Transaction, tables: Tables, produced: Sequence[Any]) -> None:
    """Adds the version rows the handlers described; then, for each correction, flags the
    change it voids and adds the correction's own row (what the change did, undone)."""
    table = tables["plan_versions"]
    rows = [row for row in produced if not isinstance(row, Voided)]
    tx.copy(table, VERSION_COLUMNS, rows)
    for voided in (row for row in produced if isinstance(row, Voided)):
        event = voided.event
        target = {"plan": str(event.originator_id), "version": event.voided_version}
        found = tx.fetchone(
            f"SELECT person_id, summary, changes FROM {table} "
            "WHERE plan_id = %(plan)s AND version = %(version)s",
            target,
        )
        tx.execute(
            f"UPDATE {table} SET voided_at = %(at)s, voided_by_version = %(by)s "
            "WHERE plan_id = %(plan)s AND version = %(version)s",
            {**target, "at": event.timestamp, "by": event.originator_version},
        )
        undone = [{**change, "before": change["after"], "after": change["before"]}
                  for change in orjson.loads(found["changes"])] if found else []  # fmt: skip
        what = found["summary"] if found else event.voided_type
        summary = f"Entered in error: version {event.voided_version} ({what})"
        person = found["person_id"] if found else voided.person_id
        tx.copy(table, VERSION_COLUMNS, [version(event, voided.position, person, summary, undone)])


def version(
    event: Any, position: int, person_id: str, summary: str, changes: list[dict[str, Any]]
) -> tuple[Any, ...]:
    """A plan_versions row, in VERSION_COLUMNS order (a rebuild writes one for every event)."""
    envelope, actor = event.envelope, event.envelope.actor
    return (
        str(event.originator_id), event.originator_version, person_id, position,
        type(event).__qualname__, event.timestamp, envelope.effective_at,
        actor.id, actor.name, actor.role.value, envelope.reason, summary,
        orjson.dumps(changes).decode(), envelope.causation_id,
    )  # fmt: skip


def stage_of(plan: SupportPlan, outcome_id: str, stage_id: str) -> Stage | None:
    outcome = plan.outcomes.get(outcome_id)
    stages = outcome.stages if outcome else []
    return next((stage for stage in stages if stage.stage_id == stage_id), None)


def title(plan: SupportPlan, outcome_id: str) -> str:
    outcome = plan.outcomes.get(outcome_id)
    return outcome.title if outcome else outcome_id


def outcome_document(outcome: Outcome) -> dict[str, Any]:
    return {
        "title": outcome.title,
        "baseline": outcome.baseline,
        "target": outcome.target,
        "evidencedBy": outcome.evidenced_by,
        "buildsOn": list(outcome.builds_on),
        "technique": outcome.technique,
        "status": "retired" if outcome.retired else "active",
        "steps": {step.step_id: jsonable(step) for step in outcome.steps},
        "stages": [stage_document(stage) for stage in outcome.stages],
    }


def stage_document(stage: Stage) -> dict[str, Any]:
    return {camel(name): jsonable(value) for name, value in vars(stage).items()}


# -- queries ---------------------------------------------------------------------------------

# A version read as of a moment says it was entered in error only once that was known.
SHOWN = (
    "plan_id, version, person_id, position, event_type, recorded_at, effective_at, actor_id, "
    "actor_name, actor_role, reason, summary, changes, causation_id, "
    "CASE WHEN voided_at <= %(known_at)s THEN voided_at END AS voided_at, "
    "CASE WHEN voided_at <= %(known_at)s THEN voided_by_version END AS voided_by_version"
)


def plan_versions_page(
    tx: Transaction, person_id: str, after: int, first: int, as_of: datetime, known_at: datetime
) -> list[Row]:
    """A plan's versions, oldest first, one row more than asked: the changes recorded by
    `known_at` that took effect by `as_of`."""
    return tx.fetchall(
        f"SELECT {SHOWN} FROM plan_versions WHERE person_id = %(id)s AND version > %(after)s "
        "AND recorded_at <= %(known_at)s AND effective_at <= %(as_of)s "
        "ORDER BY version LIMIT %(limit)s",
        {"id": person_id, "after": after, "limit": first + 1, "as_of": as_of,
         "known_at": known_at},
    )  # fmt: skip


def plan_versions_between(
    tx: Transaction, person_id: str, since: datetime, until: datetime, known_at: datetime
) -> list[Row]:
    """The changes that took effect after `since` and by `until`, as recorded by `known_at`
    (those known by then to be entered in error left out), in the order they took effect."""
    return tx.fetchall(
        f"SELECT {SHOWN} FROM plan_versions WHERE person_id = %(id)s "
        "AND effective_at > %(since)s AND effective_at <= %(until)s "
        "AND recorded_at <= %(known_at)s AND (voided_at IS NULL OR voided_at > %(known_at)s) "
        "ORDER BY effective_at, version",
        {"id": person_id, "since": since, "until": until, "known_at": known_at},
    )
