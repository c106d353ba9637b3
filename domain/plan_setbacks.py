"""Setbacks on an outcome's step-down pathway: which response fits which situation, and what
the feed publishes of a setback and of the step back it may cause.

DOMAIN: a setback is recorded against a stage, and what is decided depends on where the
person is on the pathway:
- while a stage is under way, against that stage: `repeat_stage` starts it again, or
  `step_back` returns to the stage before (planned again, the earlier one under way);
- between stages (none under way, the last completed and the next not yet started): against
  the last completed stage, `repeat_stage` reopens it (under way again, one more attempt); or
  against the next stage, `delay_next_stage` leaves it planned, the setback counted on it.
Before the first stage is started there is no pathway to set back. Each setback counts on the
stage it is recorded against.

These are the plan's methods (domain.support_plan composes them).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from domain.envelope import Envelope, event_id
from domain.errors import Rules
from domain.pathway import (
    CURRENT,
    SetbackResponse,
    Stage,
    current_stage,
    last_completed,
    next_stage,
    stage_before,
)
from domain.plan_changes import change_rules, follows
from domain.plan_pathway import find_stage, stage_parts
from domain.publishing import Field, PublishedEvent
from domain.support_plan_published import OUTCOME_ID, STAGE_ID

if TYPE_CHECKING:
    from domain.support_plan import SupportPlan

REPEAT, STEP_BACK, DELAY = (SetbackResponse.REPEAT_STAGE, SetbackResponse.STEP_BACK,
                            SetbackResponse.DELAY_NEXT_STAGE)  # fmt: skip


def record_setback(
    plan: SupportPlan,
    envelope: Envelope,
    outcome_id: str,
    stage_id: str,
    what_happened: str,
    what_was_done: str,
    response: SetbackResponse,
) -> None:
    rules = change_rules(plan, envelope)
    stage = find_stage(plan, rules, outcome_id, stage_id, envelope)
    rules.require_text(what_happened, "plan.setback.what_happened_required", "whatHappened",
                       "what happened")  # fmt: skip
    rules.require_text(what_was_done, "plan.setback.what_was_done_required", "whatWasDone",
                       "what was done about it")  # fmt: skip
    response, back_to = SetbackResponse(response), None
    if stage is not None:
        stages = plan.outcomes[outcome_id].stages
        if current_stage(stages) is not None:
            back_to = _under_way(plan, rules, envelope, outcome_id, stage, response)
        else:
            _between_stages(plan, rules, envelope, outcome_id, stage, response)
    rules.enforce()
    plan._setback_recorded(envelope, outcome_id, stage_id, what_happened.strip(),
                           what_was_done.strip(), response.value)  # fmt: skip
    if response == STEP_BACK and back_to is not None:
        stepped = replace(envelope, causation_id=event_id(plan.id, plan.version))
        plan._stepped_back(stepped, outcome_id, stage_id, back_to.stage_id)


def _under_way(
    plan: SupportPlan,
    rules: Rules,
    envelope: Envelope,
    outcome_id: str,
    stage: Stage,
    response: SetbackResponse,
) -> Stage | None:
    """A setback while a stage is under way; the stage a step back returns to."""
    stages = plan.outcomes[outcome_id].stages
    current = current_stage(stages)
    named = current.title if current else ""
    rules.check(stage.status == CURRENT, "plan.stage.not_current", "stageId",
                f"the stage is not under way: '{named}' is, so a setback is recorded against "
                "it")  # fmt: skip
    rules.check(response != DELAY, "plan.setback.delay_while_under_way", "response",
                f"'{named}' is under way: repeat it or step back (a delay is for the next stage, "
                "between stages)")  # fmt: skip
    earlier = stage_before(stages, stage.stage_id)
    rules.check(
        response != STEP_BACK or stage.status != CURRENT or earlier is not None,
        "plan.setback.no_earlier_stage",
        "response",
        "this is the pathway's first stage: repeat it rather than step back",
    )
    back_to = earlier if response == STEP_BACK else None
    follows(rules, envelope, plan.last_changes, stage_parts(outcome_id, stage, back_to))
    return back_to


def _between_stages(
    plan: SupportPlan,
    rules: Rules,
    envelope: Envelope,
    outcome_id: str,
    stage: Stage,
    response: SetbackResponse,
) -> None:
    """A setback with no stage under way: the last completed reopened, or the next delayed."""
    stages = plan.outcomes[outcome_id].stages
    last, upcoming = last_completed(stages), next_stage(stages)
    rules.check(last is not None, "plan.stage.not_current", "stageId",
                "no stage has been started yet: start the first stage")  # fmt: skip
    if last is None:
        return
    rules.check(response != STEP_BACK, "plan.setback.step_back_between_stages", "response",
                f"no stage is under way: repeat the last completed, '{last.title}', or delay "
                "the next")  # fmt: skip
    rules.check(
        response != REPEAT or stage.stage_id == last.stage_id,
        "plan.setback.not_last_completed",
        "stageId",
        f"between stages, a setback repeats the last stage completed, '{last.title}'",
    )
    rules.check(
        response != DELAY or (upcoming is not None and stage.stage_id == upcoming.stage_id),
        "plan.setback.not_next_stage",
        "stageId",
        f"between stages, a setback delays the next stage, '{upcoming.title}'"
        if upcoming
        else "every stage is completed: there is no next stage to delay",
    )
    follows(rules, envelope, plan.last_changes, stage_parts(outcome_id, last, upcoming))


PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("SupportPlan.SetbackRecorded", 1, "A setback: at the stage under way, or "
                   "between stages (stageId then names the stage completed last, repeated, or "
                   "the next one, delayed)", (
        OUTCOME_ID, STAGE_ID,
        Field("whatHappened", "What happened", "what_happened"),
        Field("whatWasDone", "What was done about it", "what_was_done"),
        Field("response", "repeat_stage (the stage starts again), step_back (see "
              "StageSteppedBack, caused by this event) or delay_next_stage (the next stage "
              "stays planned)", "response"))),
    PublishedEvent("SupportPlan.StageSteppedBack", 1, "After a setback, the person stepped "
                   "back to the stage before", (
        OUTCOME_ID,
        Field("fromStageId", "The stage left (planned again)", "from_stage_id"),
        Field("toStageId", "The earlier stage, under way again", "to_stage_id"))),
)  # fmt: skip
