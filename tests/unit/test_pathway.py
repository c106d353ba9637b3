"""An outcome's step-down pathway: stages added in order, taken one at a time, and what a setback
does to them (the stage repeated, or the person stepped back to the one before)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from domain.errors import RulesViolated
from domain.pathway import COMPLETED, CURRENT, PLANNED, SetbackResponse, Stage
from domain.support_plan import SupportPlan
from domain.timeline import replay
from tests.unit import given

REVIEW_DATE = date(2025, 4, 11)  # four weeks after given.NOW
FIRST, SECOND = "stage-beside", "stage-nearby"


def stage(stage_id: str = FIRST, **overrides: Any) -> Stage:
    fields: dict[str, Any] = {
        "stage_id": stage_id,
        "title": "Cooks with staff beside her",
        "staff_will": "stand beside Dana and prompt each step",
        "exit_criteria": "three meals cooked with no more than one prompt each",
        "review_date": REVIEW_DATE,
        "escalation_triggers": ["leaves the hob on", "burns herself"],
    }
    return Stage(**{**fields, **overrides})


def plan_with_pathway() -> SupportPlan:
    """Two stages, neither started: beside Dana, then nearby."""
    plan = given.plan_with_outcome(with_step=True)
    plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(FIRST))
    plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(SECOND, title="Staff nearby"))
    return given.past(plan)


def at_second_stage() -> SupportPlan:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)
    plan.complete_stage(given.envelope(), given.OUTCOME, FIRST, "three meals, one prompt each")
    plan.start_stage(given.envelope(), given.OUTCOME, SECOND)
    return given.past(plan)


def stages(plan: SupportPlan) -> dict[str, Stage]:
    return {s.stage_id: s for s in plan.outcomes[given.OUTCOME].stages}


def setback(plan: SupportPlan, stage_id: str, response: SetbackResponse) -> None:
    plan.record_setback(given.envelope(), given.OUTCOME, stage_id, "left the hob on",
                        "staff turned it off and talked it through", response)  # fmt: skip


# -- adding stages ----------------------------------------------------------------------------


def test_stages_are_added_to_the_end_of_the_outcomes_pathway_and_wait_to_be_started() -> None:
    plan = given.plan_with_outcome()

    plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(FIRST))
    plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(SECOND))

    assert given.names(plan.collect_events()) == ["PathwayStageAdded", "PathwayStageAdded"]
    assert list(stages(plan)) == [FIRST, SECOND]
    assert {s.status for s in stages(plan).values()} == {PLANNED}


@pytest.mark.parametrize("name", ["title", "staff_will", "exit_criteria"])
def test_a_stage_without_a_title_what_staff_will_do_or_when_it_is_done_is_refused(
    name: str,
) -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(**{name: "  "}))

    assert given.rules(refusal) == {f"plan.stage.{name}_required"}
    assert plan.collect_events() == []


@pytest.mark.parametrize("triggers", [[], ["  "]])
def test_a_stage_that_names_nothing_to_escalate_is_refused(triggers: list[str]) -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(escalation_triggers=triggers))

    assert given.rules(refusal) == {"plan.stage.escalation_triggers_required"}


@pytest.mark.parametrize("review_date", [given.NOW.date(), date(2025, 1, 31)])
def test_a_stage_whose_review_is_not_in_the_future_is_refused(review_date: date) -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(review_date=review_date))

    assert given.rules(refusal) == {"plan.stage.review_date_not_future"}


def test_a_stage_for_an_outcome_the_plan_does_not_have_is_refused() -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.add_pathway_stage(given.envelope(), "outcome-travel", stage())

    assert given.rules(refusal) == {"plan.outcome.unknown"}


def test_once_the_plan_is_agreed_a_pathway_change_without_a_reason_is_refused() -> None:
    plan = given.agreed_plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage())

    assert given.rules(refusal) == {"plan.change.reason_required"}


# -- taking stages in order -------------------------------------------------------------------


def test_starting_the_first_stage_puts_it_under_way() -> None:
    plan = plan_with_pathway()

    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)

    [started] = plan.collect_events()
    assert type(started).__name__ == "StageStarted"
    first = stages(plan)[FIRST]
    assert (first.status, first.started_at, first.attempts) == (CURRENT, given.NOW, 1)
    assert stages(plan)[SECOND].status == PLANNED


def test_a_stage_cannot_be_started_before_the_one_ahead_of_it() -> None:
    plan = plan_with_pathway()

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(given.envelope(), given.OUTCOME, SECOND)

    assert given.rules(refusal) == {"plan.stage.not_next"}
    assert "the next is 'Cooks with staff beside her'" in refusal.value.violations[0].message


@pytest.mark.parametrize("stage_id", [FIRST, SECOND])
def test_no_stage_can_be_started_while_one_is_under_way(stage_id: str) -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(given.envelope(), given.OUTCOME, stage_id)

    assert given.rules(refusal) == {"plan.stage.not_next"}
    assert "a stage is under way" in refusal.value.violations[0].message


def test_completing_a_stage_with_its_exit_evidence_lets_the_next_one_start() -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)

    plan.complete_stage(given.envelope(), given.OUTCOME, FIRST, " three meals, one prompt each ")
    plan.start_stage(given.envelope(), given.OUTCOME, SECOND)

    completed, started = plan.collect_events()[1:]
    assert completed.exit_evidence == "three meals, one prompt each"
    assert started.stage_id == SECOND
    assert (stages(plan)[FIRST].status, stages(plan)[FIRST].completed_at) == (COMPLETED, given.NOW)
    assert stages(plan)[SECOND].status == CURRENT


def test_progress_at_the_stage_under_way_is_recorded_and_leaves_the_stage_as_it_was() -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)
    before = stages(plan)[FIRST]

    plan.record_stage_progress(given.envelope(), given.OUTCOME, FIRST, " chopped the onions ")

    recorded = plan.collect_events()[-1]
    assert (type(recorded).__name__, recorded.progress) == (
        "StageProgressRecorded",
        "chopped the onions",
    )
    assert stages(plan)[FIRST] == before


def test_progress_with_nothing_said_is_refused() -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)

    with pytest.raises(RulesViolated) as refusal:
        plan.record_stage_progress(given.envelope(), given.OUTCOME, FIRST, " ")

    assert given.rules(refusal) == {"plan.stage.progress_required"}


def test_completing_a_stage_without_saying_how_its_exit_criteria_were_met_is_refused() -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)

    with pytest.raises(RulesViolated) as refusal:
        plan.complete_stage(given.envelope(), given.OUTCOME, FIRST, "")

    assert given.rules(refusal) == {"plan.stage.exit_evidence_required"}
    assert stages(plan)[FIRST].status == CURRENT


AT_A_STAGE: dict[str, Callable[[SupportPlan, str], None]] = {
    "start": lambda plan, s: plan.start_stage(given.envelope(), given.OUTCOME, s),
    "progress": lambda plan, s: plan.record_stage_progress(
        given.envelope(), given.OUTCOME, s, "chopped the onions"
    ),
    "complete": lambda plan, s: plan.complete_stage(given.envelope(), given.OUTCOME, s, "done"),
    "setback": lambda plan, s: setback(plan, s, SetbackResponse.REPEAT_STAGE),
}
UNDER_WAY_ONLY = {name: act for name, act in AT_A_STAGE.items() if name != "start"}


@pytest.mark.parametrize("act", AT_A_STAGE.values(), ids=AT_A_STAGE.keys())
def test_a_stage_the_outcome_does_not_have_is_refused(
    act: Callable[[SupportPlan, str], None],
) -> None:
    plan = plan_with_pathway()

    with pytest.raises(RulesViolated) as refusal:
        act(plan, "stage-unheard-of")

    assert "plan.stage.unknown" in given.rules(refusal)
    assert plan.collect_events() == []


@pytest.mark.parametrize("act", UNDER_WAY_ONLY.values(), ids=UNDER_WAY_ONLY.keys())
@pytest.mark.parametrize("stage_id", [FIRST, SECOND])
def test_only_the_stage_under_way_takes_progress_completion_or_a_setback(
    act: Callable[[SupportPlan, str], None], stage_id: str
) -> None:
    plan = at_second_stage() if stage_id == FIRST else plan_with_pathway()

    with pytest.raises(RulesViolated) as refusal:
        act(plan, stage_id)  # the first is completed; the second not started

    assert given.rules(refusal) == {"plan.stage.not_current"}
    assert plan.collect_events() == []


# -- setbacks ---------------------------------------------------------------------------------


def test_a_setback_that_repeats_the_stage_starts_it_again() -> None:
    plan = at_second_stage()

    setback(plan, SECOND, SetbackResponse.REPEAT_STAGE)

    [recorded] = plan.collect_events()
    assert type(recorded).__name__ == "SetbackRecorded"
    assert (recorded.what_happened, recorded.response) == ("left the hob on", "repeat_stage")
    second = stages(plan)[SECOND]
    assert (second.status, second.attempts, second.setbacks) == (CURRENT, 2, 1)
    assert stages(plan)[FIRST].status == COMPLETED


def test_a_setback_that_steps_back_puts_the_stage_before_under_way_again() -> None:
    plan = at_second_stage()

    setback(plan, SECOND, SetbackResponse.STEP_BACK)

    recorded, stepped = plan.collect_events()
    assert given.names([recorded, stepped]) == ["SetbackRecorded", "StageSteppedBack"]
    assert (stepped.from_stage_id, stepped.to_stage_id) == (SECOND, FIRST)
    first, second = stages(plan)[FIRST], stages(plan)[SECOND]
    assert (first.status, first.attempts, first.completed_at) == (CURRENT, 2, None)
    assert (second.status, second.setbacks) == (PLANNED, 1)


def test_a_step_back_names_the_setback_that_caused_it() -> None:
    plan = at_second_stage()

    setback(plan, SECOND, SetbackResponse.STEP_BACK)

    recorded, stepped = plan.collect_events()
    assert stepped.envelope.causation_id == f"{plan.id}/{recorded.originator_version}"
    assert stepped.originator_version == recorded.originator_version + 1
    assert replace(stepped.envelope, causation_id=None) == recorded.envelope


def test_after_a_step_back_the_earlier_stage_is_completed_again_before_moving_on() -> None:
    plan = at_second_stage()
    setback(plan, SECOND, SetbackResponse.STEP_BACK)

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(given.envelope(), given.OUTCOME, SECOND)
    plan.complete_stage(given.envelope(), given.OUTCOME, FIRST, "cooked safely all week")
    plan.start_stage(given.envelope(), given.OUTCOME, SECOND)

    assert given.rules(refusal) == {"plan.stage.not_next"}
    assert stages(plan)[SECOND].attempts == 2


def test_stepping_back_from_the_first_stage_is_refused_it_can_only_be_repeated() -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)
    given.past(plan)

    with pytest.raises(RulesViolated) as refusal:
        setback(plan, FIRST, SetbackResponse.STEP_BACK)

    assert given.rules(refusal) == {"plan.setback.no_earlier_stage"}
    assert plan.collect_events() == []


@pytest.mark.parametrize(
    ("what_happened", "what_was_done", "rule"),
    [
        (" ", "staff turned it off", "plan.setback.what_happened_required"),
        ("left the hob on", "", "plan.setback.what_was_done_required"),
    ],
)
def test_a_setback_without_what_happened_or_what_was_done_about_it_is_refused(
    what_happened: str, what_was_done: str, rule: str
) -> None:
    plan = at_second_stage()

    with pytest.raises(RulesViolated) as refusal:
        plan.record_setback(given.envelope(), given.OUTCOME, SECOND, what_happened,
                            what_was_done, SetbackResponse.STEP_BACK)  # fmt: skip

    assert given.rules(refusal) == {rule}
    assert stages(plan)[SECOND].status == CURRENT


def test_a_replayed_plan_stands_at_the_same_stage_as_the_one_decided() -> None:
    plan = SupportPlan(given.envelope(), "person-1", "assessment-1", list(given.STRENGTHS))
    plan.agree_outcome(given.envelope(), given.OUTCOME, given.terms())
    plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(FIRST))
    plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(SECOND))
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)
    plan.complete_stage(given.envelope(), given.OUTCOME, FIRST, "three meals")
    plan.start_stage(given.envelope(), given.OUTCOME, SECOND)
    setback(plan, SECOND, SetbackResponse.REPEAT_STAGE)
    setback(plan, SECOND, SetbackResponse.STEP_BACK)

    replayed = replay(None, plan.collect_events())

    assert stages(replayed) == stages(plan)
    assert stages(plan)[SECOND].setbacks == 2


# -- nothing takes effect before what it follows from ---------------------------------------


def test_a_stage_cannot_be_started_before_it_was_added() -> None:
    plan = given.plan_with_outcome()
    plan.add_pathway_stage(given.envelope(), given.OUTCOME, stage(FIRST))
    plan = given.past(plan)
    earlier = given.envelope(effective_at=given.NOW - timedelta(minutes=5))

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(earlier, given.OUTCOME, FIRST)

    assert "plan.effective_at.before_what_it_follows" in given.rules(refusal)


@pytest.mark.parametrize("change", ["progress", "complete", "setback"])
def test_nothing_at_a_stage_takes_effect_before_the_stage_was_started(change: str) -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)
    plan = given.past(plan)
    earlier = given.envelope(effective_at=given.NOW - timedelta(minutes=5))
    act: dict[str, Callable[[], None]] = {
        "progress": lambda: plan.record_stage_progress(earlier, given.OUTCOME, FIRST, "better"),
        "complete": lambda: plan.complete_stage(earlier, given.OUTCOME, FIRST, "done"),
        "setback": lambda: plan.record_setback(
            earlier, given.OUTCOME, FIRST, "fell", "helped", SetbackResponse.REPEAT_STAGE
        ),
    }

    with pytest.raises(RulesViolated) as refusal:
        act[change]()

    assert "plan.effective_at.before_what_it_follows" in given.rules(refusal)


def test_a_stage_cannot_be_added_before_the_outcome_s_last_stage_was_added() -> None:
    plan = plan_with_pathway()
    earlier = given.envelope(effective_at=given.NOW - timedelta(minutes=5))

    with pytest.raises(RulesViolated) as refusal:
        plan.add_pathway_stage(earlier, given.OUTCOME, stage("stage-alone"))

    assert "plan.effective_at.before_what_it_follows" in given.rules(refusal)
