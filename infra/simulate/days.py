"""A simulated person's days after their plan is agreed: the pathway taken stage by stage, with
progress checks and setbacks (a stage repeated, or a step back to the one before), revisions
of the plan, reviews every six to eight weeks held with the person, and evidence notes several
times a day."""

from __future__ import annotations

from datetime import date, datetime

from domain.commands import Command
from domain.evidence_note import RecordEvidenceNote
from domain.pathway import SetbackResponse
from domain.progression_commands import (
    CompleteStage,
    HoldReview,
    RecordSetback,
    RecordStageProgress,
    StartStage,
)
from domain.support_plan_commands import (
    AddEnablementStep,
    ReviseOutcome,
    SetSupportHours,
    WriteStaffGuidance,
)
from infra.simulate.people import Plan
from infra.simulate.story import Story
from infra.simulate.words import (
    BARRIERS,
    GUIDANCE,
    MOODS,
    NEW_STRENGTHS,
    REVIEW_VIEWS,
    WHAT_WORKED,
)

NOTES_A_DAY = (2, 3, 3, 4, 4, 5)
SETBACK_CHANCE = 1 / 45  # on any day of a stage under way


def live(story: Story, plan: Plan, day: int) -> None:
    """Puts the day's events on the agenda, then runs them."""
    _pathway(story, plan, day)
    if day == plan.next_revision:
        _revise(story, plan, day)
        plan.next_revision = day + story.rng.randrange(20, 46)
    if day == plan.review_due:
        _review(story, plan, day)
    _notes(story, plan, day)
    story.live_day(day)


# -- the pathway -------------------------------------------------------------------------------


def _pathway(story: Story, plan: Plan, day: int) -> None:
    rng, stage_count = story.rng, len(plan.stage_ids)
    if plan.next_start == day:
        stage_id = plan.stage_ids[plan.stage]
        command = StartStage(story.person_id, plan.outcome_id, stage_id,
                             _review_on_start(story, plan, plan.stage, day))  # fmt: skip
        reason = story.words("{name} asked to move on to the next stage")
        story.on(day, 9, 0, story.by(story.staff.senior, command, reason))
        _started(plan, day, rng.randrange(21, 57))
    elif not plan.under_way:
        return
    elif day >= plan.stage_ends:
        stage_id = plan.stage_ids[plan.stage]
        evidence = story.words(story.theme.stages[plan.stage][2]) + ": met"
        complete = CompleteStage(story.person_id, plan.outcome_id, stage_id, evidence)
        story.on(day, 9, 0, story.by(story.staff.senior, complete, "Exit criteria met"))
        plan.under_way, plan.stage = False, plan.stage + 1
        plan.next_start = day + rng.randint(1, 3) if plan.stage < stage_count else None
    elif day - plan.stage_started >= 5 and rng.random() < SETBACK_CHANCE:
        _setback(story, plan, day)
    elif day >= plan.next_progress:
        stage_id = plan.stage_ids[plan.stage]
        progress = RecordStageProgress(story.person_id, plan.outcome_id, stage_id,
                                       story.pick(story.theme.notes))  # fmt: skip
        check = story.by(story.worker(), progress, "Fortnightly stage check")
        story.on(day, 9, 15, check)
        plan.next_progress = day + 14


def _review_on_start(story: Story, plan: Plan, stage: int, day: int) -> date | None:
    """A stage starting on or after its review day is given a new one, four weeks on."""
    if day < plan.stage_reviews[stage]:
        return None
    plan.stage_reviews[stage] = day + 28
    return story.at(day + 28, 0).date()


def _started(plan: Plan, day: int, lasting: int) -> None:
    plan.under_way, plan.next_start = True, None
    plan.stage_started, plan.stage_ends, plan.next_progress = day, day + lasting, day + 14


def _setback(story: Story, plan: Plan, day: int) -> None:
    happened, done = (story.words(text) for text in story.rng.choice(story.theme.setbacks))
    step_back = plan.stage > 0 and story.rng.random() < 0.5
    response = SetbackResponse.STEP_BACK if step_back else SetbackResponse.REPEAT_STAGE
    command = RecordSetback(story.person_id, plan.outcome_id, plan.stage_ids[plan.stage],
                            happened, done, response)  # fmt: skip
    reason = "Escalation trigger met" if step_back else "Stage repeated after a setback"
    story.on(day, 9, 30, story.by(story.staff.senior, command, reason))
    plan.stage -= 1 if step_back else 0
    plan.setback_on = day
    _started(plan, day, story.rng.randrange(14, 43))


# -- revisions and reviews ---------------------------------------------------------------------


def _revise(story: Story, plan: Plan, day: int) -> None:
    """One change to the plan, decided now (what later entries of the day see) and written
    at eleven."""
    rng, person_id = story.rng, story.person_id
    kind = rng.choice(("hours", "guidance", "target", "step"))
    command: Command
    if kind == "hours":
        hours = max(1.0, plan.hours + rng.choice((-3, -2, -1, 1, 2)))
        if hours == plan.hours:
            return
        plan.hours, command = hours, SetSupportHours(person_id, hours)
        reason = "Rota reviewed with the person"
    elif kind == "guidance":
        plan.guidance = story.pick([g for g in GUIDANCE if story.words(g) != plan.guidance])
        command, reason = WriteStaffGuidance(person_id, plan.guidance), "New approach agreed"
    elif kind == "target":
        base = story.words(story.theme.outcome[2])
        targets = (base, f"{base}, at the person's own pace", f"{base}, by the next review")
        plan.target = rng.choice([target for target in targets if target != plan.target])
        command = ReviseOutcome(person_id, plan.outcome_id, target=plan.target)
        reason = "Target revised with the person"
    else:
        theme = story.theme
        command = AddEnablementStep(person_id, plan.outcome_id, rng.choice(theme.strengths),
                                    story.pick(theme.micro_steps),
                                    story.words(theme.outcome[3]))  # fmt: skip
        reason = "A new weekly step the person asked for"
    story.on(day, 11, 0, story.by(story.staff.senior, command, reason))


def _review(story: Story, plan: Plan, day: int) -> None:
    rng = story.rng
    can_reduce = rng.choice((True, False, None))
    hours = None
    if rng.random() < 0.35:
        hours = max(1.0, plan.hours - rng.randint(1, 3)) if can_reduce else plan.hours + 1
        hours = None if hours == plan.hours else hours
    advance = plan.under_way and day - plan.stage_started >= 14 and rng.random() < 0.35
    following = plan.stage + 1
    stage_review_on = (_review_on_start(story, plan, following, day)
                       if advance and following < len(plan.stage_ids) else None)  # fmt: skip
    new_outcome = not plan.second_outcome_id and rng.random() < 0.15
    attended = rng.random() < 0.95
    contributed = attended and rng.random() < 0.9
    views = story.pick(REVIEW_VIEWS) if contributed or not attended else None
    next_due = day + rng.randrange(42, 57)
    other = story.second_theme
    command = HoldReview(
        story.person_id, plan.review_id, person_attended=attended, person_contributed=contributed,
        person_views=views,
        views_not_given_because=None if views else story.words("{name} chose not to talk today"),
        what_worked=story.pick(WHAT_WORKED),
        new_strengths=rng.sample(NEW_STRENGTHS, rng.randint(0, 1)),
        support_can_reduce=can_reduce, barriers=story.pick(BARRIERS),
        new_goals=[story.words(other.preferred)] if new_outcome else [],
        decide_support_hours=hours,
        decide_advance_stage_of=plan.outcome_id if advance else None,
        decide_next_review_on=story.at(next_due, 0).date(),
        new_outcome_title=story.words(other.outcome[0]) if new_outcome else None,
        new_outcome_baseline=story.words(other.outcome[1]) if new_outcome else None,
        new_outcome_target=story.words(other.outcome[2]) if new_outcome else None,
        new_outcome_evidenced_by=story.words(other.outcome[3]) if new_outcome else None,
        new_outcome_builds_on=list(other.strengths[:2]) if new_outcome else None,
        decide_stage_review_on=stage_review_on,
    )  # fmt: skip
    reason = story.words("Review held with {name}")

    def hold(at: datetime) -> None:
        plan.review_id = story.run(story.staff.manager, at, command, reason).part_id or ""
        if new_outcome:
            plan.second_outcome_id = story.last_part("outcome")

    story.on(day, 14, 0, hold)
    plan.review_due = next_due
    plan.hours = hours if hours is not None else plan.hours
    if new_outcome:
        plan.second_from = day + 1
    if advance:
        plan.stage += 1
        if plan.stage < len(plan.stage_ids):
            _started(plan, day, rng.randrange(21, 57))
        else:
            plan.under_way = False


# -- evidence notes ----------------------------------------------------------------------------


def _notes(story: Story, plan: Plan, day: int) -> None:
    rng = story.rng
    minutes = sorted(rng.sample(range(7 * 60, 22 * 60), rng.choice(NOTES_A_DAY)))
    ladder, first_along = story.ladder, _along(plan, day)
    has_second = bool(plan.second_outcome_id) and day > plan.second_from
    for minute in minutes:
        second = has_second and rng.random() < 0.25
        outcome_id = plan.second_outcome_id if second else plan.outcome_id
        along = min(1.0, (day - plan.second_from) / 180) if second else first_along
        if day - plan.setback_on < 10:
            along = max(0.0, along - 0.3)
        rung = round((len(ladder) - 1) * (1 - along) + rng.choice((-1, 0, 0, 0, 1)))
        rung = min(max(rung, 0), len(ladder) - 1)
        refused = rng.random() < 0.03
        done = min(max(round(2 + 4 * along + rng.choice((-1, 0, 0, 1))), 0), plan.steps_of)
        note = story.pick(story.theme.notes if not second else story.second_theme.notes)
        if refused:
            note = story.words("{name} declined today; staff respected it and tried later. ") + note
        command = RecordEvidenceNote(
            story.person_id, outcome_id, note, ladder[rung],
            min(max(round(3 + 6 * along + rng.gauss(0, 1)), 1), 10),
            done // 2 if refused else done, plan.steps_of, refused, rng.choice(MOODS),
        )  # fmt: skip
        who = story.worker() if rng.random() < 0.85 else story.staff.senior
        story.on(day, 0, minute, story.by(who, command))


def _along(plan: Plan, day: int) -> float:
    """How far along the pathway the person is, 0 to 1."""
    count = len(plan.stage_ids)
    if plan.stage >= count:
        return 1.0
    within = 0.0
    if plan.under_way:
        within = min(1.0, (day - plan.stage_started) / max(1, plan.stage_ends - plan.stage_started))
    return (plan.stage + within) / count
