"""A simulated person's first days: registration, a strengths-led assessment completed with
them, a support plan drafted from it with agreed outcomes and enablement steps, agreed by a
manager, and a step-down pathway on their first outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.assessment import ContributionMode, Section
from domain.assessment_commands import (
    CompleteAssessment,
    RecordAssessmentSection,
    RecordContribution,
    StartAssessment,
)
from domain.person_commands import RecordAdvocate, RecordConsentToShare, RegisterPerson
from domain.progression_commands import AddPathwayStage, ScheduleReview, StartStage
from domain.support_plan_commands import (
    AddEnablementStep,
    AgreeOutcome,
    AgreeSupportPlan,
    DraftSupportPlan,
    SetNextReviewDate,
    SetSupportHours,
    WriteStaffGuidance,
)
from infra.simulate.story import Story
from infra.simulate.words import (
    ADVOCATES,
    COMMUNICATION,
    FIRST_NAMES,
    GUIDANCE,
    INDEPENDENT_SKILLS,
    INFORMAL_SUPPORT,
    SERVICES,
    SURNAMES,
    Theme,
)


@dataclass
class Plan:
    """The plan as the story knows it."""

    outcome_id: str  # the first outcome: its pathway and most notes are about it
    stage_ids: list[str]
    hours: float
    guidance: str
    target: str
    agreed_on: int  # the day the plan was agreed
    review_id: str = ""  # the review scheduled and not yet held
    review_due: int = 0  # its day
    second_outcome_id: str = ""
    second_from: int = 0  # the day the second outcome was agreed
    stage: int = 0  # the stage under way (or next to start); all before it are completed
    under_way: bool = False
    stage_started: int = 0
    stage_ends: int = 0  # the day its exit criteria will be met, unless a setback comes first
    next_progress: int = 0
    next_start: int | None = None  # the day the next stage starts
    setback_on: int = -100  # the day of the latest setback
    next_revision: int = 0
    steps_of: int = 6
    revisions: list[str] = field(default_factory=list)
    stage_reviews: list[int] = field(default_factory=list)  # the day each stage is reviewed


def begin(story: Story) -> Plan:
    """Days 0-3; returns the plan as agreed, with its pathway's first stage started on day 4."""
    rng = story.rng
    story.name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    story.has_advocate = rng.random() < 0.3
    team = rng.choice(SERVICES[story.service][1])
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(54 * 365))
    at = story.at(0, 10)
    story.person_id = story.run(
        story.worker(), at, RegisterPerson(story.name, story.service_id, born, team)
    ).record_id
    if story.has_advocate:
        advocate, relationship = rng.choice(ADVOCATES)
        command = RecordAdvocate(story.person_id, advocate, relationship)
        story.run(story.worker(), story.at(0, 10, 5), command, "Advocate met at assessment")
    if rng.random() < 0.7:
        scope = "Health and care professionals involved in the support plan"
        command_ = RecordConsentToShare(story.person_id, rng.random() < 0.9, scope)
        story.run(story.worker(), story.at(0, 10, 10), command_)
    assessment_id = _assess(story)
    return _plan(story, assessment_id)


def _assess(story: Story) -> str:
    rng, theme, other = story.rng, story.theme, story.second_theme
    who = story.worker()
    assessment_id = story.run(who, story.at(0, 10, 30), StartAssessment(story.person_id)).record_id
    sections = {
        Section.STRENGTHS: [*theme.strengths, *other.strengths[:2]],
        Section.INDEPENDENT_SKILLS: rng.sample(INDEPENDENT_SKILLS, 2),
        Section.PREFERRED_OUTCOMES: [theme.preferred, other.preferred],
        Section.INFORMAL_SUPPORT: [rng.choice(INFORMAL_SUPPORT)],
        Section.COMMUNICATION_PREFERENCES: rng.sample(COMMUNICATION, 2),
    }
    for minute, (section, entries) in enumerate(sections.items(), start=31):
        command = RecordAssessmentSection(assessment_id, section, [story.words(e) for e in entries])
        story.run(who, story.at(0, 10, minute), command)
    story.run(who, story.at(0, 11), _contribution(story, assessment_id))
    story.run(story.staff.senior, story.at(1, 14), CompleteAssessment(assessment_id))
    return assessment_id


def _contribution(story: Story, assessment_id: str) -> RecordContribution:
    if story.has_advocate:
        return RecordContribution(assessment_id, ContributionMode.THROUGH_ADVOCATE,
                                  story.words("{name} wrote the goals with the advocate's help"),
                                  "the advocate")  # fmt: skip
    if story.rng.random() < 0.1:
        return RecordContribution(assessment_id, ContributionMode.NOT_POSSIBLE,
                                  "Family described the routine and wishes", "a family member",
                                  story.words("{name} was in hospital at the time"))  # fmt: skip
    return RecordContribution(assessment_id, ContributionMode.DIRECT,
                              story.words("{name} set the goals and chose the order"))  # fmt: skip


def _plan(story: Story, assessment_id: str) -> Plan:
    rng, theme, senior = story.rng, story.theme, story.staff.senior
    story.run(senior, story.at(2, 10), DraftSupportPlan(story.person_id, assessment_id))
    outcome_id = _outcome(story, theme, theme.strengths, story.at(2, 10, 5))
    second = ""
    if rng.random() < 0.5:
        second = _outcome(story, story.second_theme, story.second_theme.strengths[:2],
                          story.at(2, 10, 20))  # fmt: skip
    guidance = story.pick(GUIDANCE)
    hours = float(rng.randrange(6, 30))
    review_day = 3 + rng.randrange(42, 57)
    for minute, command in enumerate((
        WriteStaffGuidance(story.person_id, guidance),
        SetSupportHours(story.person_id, hours),
        SetNextReviewDate(story.person_id, story.at(review_day, 0).date()),
    ), start=30):  # fmt: skip
        story.run(senior, story.at(2, 10, minute), command)
    story.run(story.staff.manager, story.at(3, 11), AgreeSupportPlan(story.person_id))
    plan = Plan(outcome_id, [], hours, guidance, story.words(theme.outcome[2]), agreed_on=3,
                second_outcome_id=second, second_from=2)  # fmt: skip
    _pathway(story, plan)
    return plan


def _outcome(story: Story, theme: Theme, builds_on: tuple[str, ...], at: datetime) -> str:
    title, baseline, target, evidenced_by = (story.words(t) for t in theme.outcome)
    command = AgreeOutcome(story.person_id, title, baseline, target, evidenced_by,
                           list(builds_on))  # fmt: skip
    outcome_id = story.run(story.staff.senior, at, command).part_id or ""
    for n in range(story.rng.randint(1, 2)):
        step = AddEnablementStep(story.person_id, outcome_id, builds_on[n],
                                 story.words(theme.micro_steps[n]),
                                 story.words(theme.outcome[3]))  # fmt: skip
        story.run(story.staff.senior, at + timedelta(minutes=n + 1), step)
    return outcome_id


def _pathway(story: Story, plan: Plan) -> None:
    senior, theme = story.staff.senior, story.theme
    reason = story.words("Step-down pathway agreed with {name}")
    for n, (title, staff_will, exit_criteria) in enumerate(theme.stages):
        plan.stage_reviews.append(3 + 28 * (n + 1))
        review_on = story.at(plan.stage_reviews[-1], 0).date()
        command = AddPathwayStage(story.person_id, plan.outcome_id, story.words(title),
                                  story.words(staff_will), story.words(exit_criteria), review_on,
                                  list(theme.triggers))  # fmt: skip
        plan.stage_ids.append(
            story.run(senior, story.at(3, 11, 30 + n), command, reason).part_id or ""
        )
    plan.review_due = 3 + story.rng.randrange(42, 57)
    due = ScheduleReview(story.person_id, story.at(plan.review_due, 0).date())
    why = story.words("First review booked with {name}")
    plan.review_id = story.run(senior, story.at(3, 12), due, why).part_id or ""
    start = StartStage(story.person_id, plan.outcome_id, plan.stage_ids[0])
    story.run(senior, story.at(4, 9), start, story.words("{name} chose the start date"))
    plan.under_way, plan.stage_started = True, 4
    plan.stage_ends = 4 + story.rng.randrange(21, 57)
    plan.next_progress = 4 + 14
    plan.next_revision = 4 + story.rng.randrange(20, 46)
