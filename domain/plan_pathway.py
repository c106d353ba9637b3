"""Each outcome's step-down pathway (domain.pathway): the rules for adding a stage, starting
one, recording progress at it and completing it, and what the feed publishes of each. Setbacks
have their own part (domain.plan_setbacks).

DOMAIN: stages are taken in order, one at a time. Each has its own review date; a stage that
starts on or after that date would start already overdue for review, so starting it late
needs a new review date (and one may be given when it starts on time, too). Every change to a
stage takes effect after the stage last changed, and a start after the stage before it was
completed (domain.plan_changes).

These are the plan's methods (domain.support_plan composes them).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain import plan_changes
from domain.envelope import Envelope
from domain.errors import Rules
from domain.pathway import CURRENT, Stage, next_stage, stage_before
from domain.plan_changes import change_rules, follows
from domain.plan_outcomes import active_outcome, check_technique
from domain.publishing import Field, PublishedEvent, value_of
from domain.staff import STANDARD_TECHNIQUES
from domain.support_plan_published import OUTCOME_ID, STAGE_ID

if TYPE_CHECKING:
    from domain.support_plan import SupportPlan

REQUIRED = (("title", "a title"), ("staff_will", "what staff will do"),
            ("exit_criteria", "when the stage is done"))  # fmt: skip


def add_pathway_stage(
    plan: SupportPlan,
    envelope: Envelope,
    outcome_id: str,
    stage: Stage,
    known: frozenset[str] = STANDARD_TECHNIQUES,
) -> None:
    rules = change_rules(plan, envelope)
    check_technique(rules, stage.technique, known)
    active_outcome(plan, rules, outcome_id, envelope)
    # Stages are in the order they were added: a late one would come before the others.
    follows(rules, envelope, plan.last_changes, [plan_changes.stages_of(outcome_id)])
    for name, label in REQUIRED:
        rules.require_text(getattr(stage, name), f"plan.stage.{name}_required", name, label)
    rules.check(
        any(trigger.strip() for trigger in stage.escalation_triggers),
        "plan.stage.escalation_triggers_required",
        "escalationTriggers",
        "name what should make staff escalate (e.g. a missed dose, confusion)",
    )
    rules.check(
        stage.review_date > envelope.effective_at.date(),
        "plan.stage.review_date_not_future",
        "reviewDate",
        "the stage's review must fall after the date it is added",
    )
    rules.enforce()
    plan._stage_added(envelope, outcome_id, stage)


def start_stage(
    plan: SupportPlan,
    envelope: Envelope,
    outcome_id: str,
    stage_id: str,
    review_date: date | None = None,
) -> None:
    rules = change_rules(plan, envelope)
    stage = find_stage(plan, rules, outcome_id, stage_id, envelope)
    if stage is not None:
        stages = plan.outcomes[outcome_id].stages
        follows(rules, envelope, plan.last_changes,
                stage_parts(outcome_id, stage, stage_before(stages, stage_id)))  # fmt: skip
        upcoming = next_stage(stages)
        rules.check(
            upcoming is not None and upcoming.stage_id == stage_id,
            "plan.stage.not_next",
            "stageId",
            "stages are taken in order, one at a time: "
            + (f"the next is '{upcoming.title}'" if upcoming else "a stage is under way"),
        )
        check_review_date(rules, envelope, stage, review_date)
    rules.enforce()
    plan._stage_started(envelope, outcome_id, stage_id, review_date)


def check_review_date(
    rules: Rules, envelope: Envelope, stage: Stage, review_date: date | None
) -> None:
    """A stage starting on or after its review date is given a new one, after its start."""
    starts_on = envelope.effective_at.date()
    rules.check(
        review_date is not None or starts_on < stage.review_date,
        "plan.stage.review_date_required",
        "reviewDate",
        f"the stage's review was due on {stage.review_date.isoformat()}, by the day it starts "
        f"({starts_on.isoformat()}): give it a new review date",
    )
    rules.check(
        review_date is None or review_date > starts_on,
        "plan.stage.review_date_not_future",
        "reviewDate",
        "the stage's review must fall after the date it starts",
    )


def record_stage_progress(
    plan: SupportPlan, envelope: Envelope, outcome_id: str, stage_id: str, progress: str
) -> None:
    rules = change_rules(plan, envelope)
    under_way(plan, rules, outcome_id, stage_id, envelope)
    rules.require_text(progress, "plan.stage.progress_required", "progress", "the progress")
    rules.enforce()
    plan._progress_recorded(envelope, outcome_id, stage_id, progress.strip())


def complete_stage(
    plan: SupportPlan, envelope: Envelope, outcome_id: str, stage_id: str, exit_evidence: str
) -> None:
    rules = change_rules(plan, envelope)
    under_way(plan, rules, outcome_id, stage_id, envelope)
    rules.require_text(exit_evidence, "plan.stage.exit_evidence_required", "exitEvidence",
                       "how the exit criteria were met")  # fmt: skip
    rules.enforce()
    plan._stage_completed(envelope, outcome_id, stage_id, exit_evidence.strip())


def find_stage(
    plan: SupportPlan, rules: Rules, outcome_id: str, stage_id: str, envelope: Envelope
) -> Stage | None:
    outcome = active_outcome(plan, rules, outcome_id, envelope)
    stages = outcome.stages if outcome else []
    stage = next((s for s in stages if s.stage_id == stage_id), None)
    rules.check(outcome is None or stage is not None, "plan.stage.unknown", "stageId",
                f"the outcome has no stage {stage_id}")  # fmt: skip
    return stage


def under_way(
    plan: SupportPlan, rules: Rules, outcome_id: str, stage_id: str, envelope: Envelope
) -> Stage | None:
    """The stage a change at the stage under way names, if it is under way."""
    stage = find_stage(plan, rules, outcome_id, stage_id, envelope)
    rules.check(stage is None or stage.status == CURRENT, "plan.stage.not_current",
                "stageId", "the stage is not under way: start it first")  # fmt: skip
    if stage is not None:
        follows(rules, envelope, plan.last_changes, stage_parts(outcome_id, stage))
    return stage


def stage_parts(outcome_id: str, *stages: Stage | None) -> list[str]:
    """The parts of the plan these stages are (domain.plan_changes)."""
    return [plan_changes.stage(outcome_id, s.stage_id) for s in stages if s is not None]


STAGE = {"stage_id": "stageId", "title": "title", "staff_will": "staffWill",
         "exit_criteria": "exitCriteria", "review_date": "reviewDate",
         "escalation_triggers": "escalationTriggers", "technique": "technique"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("SupportPlan.PathwayStageAdded", 1, "A stage added to the end of an "
                   "outcome's step-down pathway", (
        OUTCOME_ID,
        Field("stage", "stageId, title, staffWill (what staff will do), exitCriteria, "
              "reviewDate (YYYY-MM-DD), escalationTriggers (a list) and technique (the "
              "one staff rely on at this stage, lower case, or null)",
              value_of("stage", STAGE)))),
    PublishedEvent("SupportPlan.StageStarted", 2, "The person started a stage", (
        OUTCOME_ID, STAGE_ID,
        Field("reviewDate", "The stage's review date from now on (YYYY-MM-DD), when the start "
              "set or moved it; null when it keeps its own", "review_date"))),
    PublishedEvent("SupportPlan.StageProgressRecorded", 1, "Progress at the stage under way", (
        OUTCOME_ID, STAGE_ID, Field("progress", "The progress, as recorded", "progress"))),
    PublishedEvent("SupportPlan.StageCompleted", 1, "The person completed a stage", (
        OUTCOME_ID, STAGE_ID,
        Field("exitEvidence", "How its exit criteria were met", "exit_evidence"))),
)  # fmt: skip
