"""A setback between stages (the last completed, the next not yet started): the last stage is
repeated, or the next delayed; a response that does not fit where the person is on the pathway
is refused with a rule saying which would."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.errors import RulesViolated
from domain.pathway import COMPLETED, CURRENT, PLANNED, SetbackResponse
from domain.support_plan import SupportPlan
from domain.timeline import replay
from tests.unit import given
from tests.unit.test_pathway import FIRST, SECOND, at_second_stage, plan_with_pathway, stages
from tests.unit.test_pathway import stage as pathway_stage

REPEAT, STEP_BACK, DELAY = (SetbackResponse.REPEAT_STAGE, SetbackResponse.STEP_BACK,
                            SetbackResponse.DELAY_NEXT_STAGE)  # fmt: skip


def between_stages(since: datetime = given.NOW) -> SupportPlan:
    return given.past(walked_to_between_stages(since))


def walked_to_between_stages(since: datetime = given.NOW) -> SupportPlan:
    """The first stage completed now, the second not yet started; the rest done `since`."""
    before = given.envelope(effective_at=since)
    plan = SupportPlan(before, "person-1", "assessment-1", list(given.STRENGTHS))
    plan.agree_outcome(before, given.OUTCOME, given.terms())
    plan.add_pathway_stage(before, given.OUTCOME, pathway_stage(FIRST))
    plan.add_pathway_stage(before, given.OUTCOME, pathway_stage(SECOND, title="Staff nearby"))
    plan.start_stage(before, given.OUTCOME, FIRST)
    plan.complete_stage(given.envelope(), given.OUTCOME, FIRST, "three meals, one prompt each")
    return plan


def setback(
    plan: SupportPlan, stage_id: str, response: SetbackResponse, at: datetime | None = None
) -> None:
    plan.record_setback(given.envelope(effective_at=at), given.OUTCOME, stage_id,
                        "burnt the pan at the weekend", "cooked together on Monday",
                        response)  # fmt: skip


def test_a_setback_between_stages_can_reopen_the_last_completed_stage() -> None:
    plan = between_stages()

    setback(plan, FIRST, REPEAT)

    [recorded] = plan.collect_events()
    assert (type(recorded).__name__, recorded.stage_id, recorded.response) == (
        "SetbackRecorded", FIRST, "repeat_stage"
    )  # fmt: skip
    first, second = stages(plan)[FIRST], stages(plan)[SECOND]
    assert (first.status, first.attempts, first.setbacks) == (CURRENT, 2, 1)
    assert (first.started_at, first.completed_at) == (given.NOW, None)
    assert (second.status, second.setbacks) == (PLANNED, 0)


def test_a_reopened_stage_is_completed_again_before_the_next_can_start() -> None:
    plan = between_stages()
    setback(plan, FIRST, REPEAT)

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(given.envelope(), given.OUTCOME, SECOND)
    plan.complete_stage(given.envelope(), given.OUTCOME, FIRST, "cooked safely all week")
    plan.start_stage(given.envelope(), given.OUTCOME, SECOND)

    assert given.rules(refusal) == {"plan.stage.not_next"}
    assert (stages(plan)[FIRST].status, stages(plan)[SECOND].status) == (COMPLETED, CURRENT)


def test_a_setback_between_stages_can_delay_the_next_stage_which_stays_planned() -> None:
    plan = between_stages()
    before = stages(plan)

    setback(plan, SECOND, DELAY)

    [recorded] = plan.collect_events()
    assert (recorded.stage_id, recorded.response) == (SECOND, "delay_next_stage")
    second = stages(plan)[SECOND]
    assert (second.status, second.attempts, second.setbacks) == (PLANNED, 0, 1)
    assert stages(plan)[FIRST] == before[FIRST]


def test_a_delayed_stage_is_started_when_the_person_is_ready() -> None:
    plan = between_stages()
    setback(plan, SECOND, DELAY)

    plan.start_stage(given.envelope(), given.OUTCOME, SECOND)

    second = stages(plan)[SECOND]
    assert (second.status, second.attempts, second.setbacks) == (CURRENT, 1, 1)


def test_stepping_back_between_stages_is_refused_for_a_repeat_or_a_delay() -> None:
    plan = between_stages()

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, SECOND, STEP_BACK)

    assert given.rules(refusal) == {"plan.setback.step_back_between_stages"}
    assert "repeat the last completed, 'Cooks with staff beside her'" in str(refusal.value)
    assert plan.collect_events() == []


def test_delaying_the_next_stage_while_a_stage_is_under_way_is_refused() -> None:
    plan = at_second_stage()

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, SECOND, DELAY)

    assert given.rules(refusal) == {"plan.setback.delay_while_under_way"}
    assert stages(plan)[SECOND].setbacks == 0


def test_between_stages_only_the_last_completed_stage_is_repeated() -> None:
    plan = between_stages()

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, SECOND, REPEAT)

    assert given.rules(refusal) == {"plan.setback.not_last_completed"}
    assert "'Cooks with staff beside her'" in refusal.value.violations[0].message


def test_between_stages_only_the_next_stage_is_delayed() -> None:
    plan = between_stages()

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, FIRST, DELAY)

    assert given.rules(refusal) == {"plan.setback.not_next_stage"}
    assert "'Staff nearby'" in refusal.value.violations[0].message


def test_once_every_stage_is_completed_there_is_no_next_stage_to_delay_but_the_last_reopens() -> (
    None
):
    plan = at_second_stage()
    plan.complete_stage(given.envelope(), given.OUTCOME, SECOND, "cooked alone all week")
    given.past(plan)

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, SECOND, DELAY)
    setback(plan, SECOND, REPEAT)

    assert given.rules(refusal) == {"plan.setback.not_next_stage"}
    assert "no next stage" in refusal.value.violations[0].message
    assert stages(plan)[SECOND].status == CURRENT


@pytest.mark.parametrize("response", [REPEAT, DELAY])
def test_before_any_stage_is_started_there_is_no_setback_to_record(
    response: SetbackResponse,
) -> None:
    plan = plan_with_pathway()

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, FIRST, response)

    assert given.rules(refusal) == {"plan.stage.not_current"}


@pytest.mark.parametrize(("stage_id", "response"), [(FIRST, REPEAT), (SECOND, DELAY)])
def test_a_setback_between_stages_cannot_take_effect_before_the_last_stage_was_completed(
    stage_id: str, response: SetbackResponse
) -> None:
    plan = between_stages(since=given.NOW - timedelta(hours=1))

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, stage_id, response, at=given.NOW - timedelta(minutes=5))

    assert given.rules(refusal) == {"plan.effective_at.before_what_it_follows"}
    assert "stage 'Cooks with staff beside her' was completed at" in str(refusal.value)


def test_a_plan_replayed_after_setbacks_between_stages_stands_where_it_was_decided() -> None:
    plan = walked_to_between_stages()
    setback(plan, SECOND, DELAY)
    setback(plan, FIRST, REPEAT)

    replayed = replay(None, plan.collect_events())

    assert stages(replayed) == stages(plan)
    assert replayed.last_changes == plan.last_changes
