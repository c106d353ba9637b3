"""The demo people, drawn from the owner's practice examples: medication independence in
stages, community participation through volunteering, personal care with a prompt ladder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from domain.support_plan import SupportPlan
from domain.support_plan_commands import (
    AddEnablementStep,
    ReviseOutcome,
    SetNextReviewDate,
    SetSupportHours,
    WriteStaffGuidance,
)

if TYPE_CHECKING:
    from infra.demo import DemoLoader

Revision = Callable[["DemoLoader", str], Any]


@dataclass(frozen=True)
class DemoPerson:
    name: str
    date_of_birth: date
    service_id: str
    team_id: str
    started_days_ago: int
    assessment: dict[str, list[str]]
    contribution: tuple[str, str, str | None, str | None]
    outcome: tuple[str, str, str, str, list[str]]
    steps: list[tuple[str, str, str]]
    guidance: str
    hours: float
    revisions: list[Revision] = field(default_factory=list)


def _outcome_id(loader: DemoLoader, person_id: str) -> str:
    plan: SupportPlan = loader.records.repository.get(SupportPlan.create_id(person_id))
    return next(iter(plan.outcomes))


def hours(who: str, days_ago: int, value: float, reason: str) -> Revision:
    return lambda d, pid: d.run(who, days_ago, SetSupportHours(pid, value), reason)


def target(who: str, days_ago: int, new_target: str, reason: str) -> Revision:
    return lambda d, pid: d.run(
        who, days_ago, ReviseOutcome(pid, _outcome_id(d, pid), target=new_target), reason
    )


def step(who: str, days_ago: int, strength: str, micro: str, evidence: str, why: str) -> Revision:
    return lambda d, pid: d.run(
        who, days_ago, AddEnablementStep(pid, _outcome_id(d, pid), strength, micro, evidence), why
    )


def guidance(who: str, days_ago: int, text: str, reason: str) -> Revision:
    return lambda d, pid: d.run(who, days_ago, WriteStaffGuidance(pid, text), reason)


def review(who: str, days_ago: int, weeks_later: int, reason: str) -> Revision:
    return lambda d, pid: d.run(
        who, days_ago, SetNextReviewDate(pid, d.review_date(days_ago, weeks_later)), reason
    )


DEMO_PEOPLE = [
    DemoPerson(
        name="Daniel Price",
        date_of_birth=date(1987, 4, 12),
        service_id="riverside-supported-living",
        team_id="riverside-east",
        started_days_ago=240,
        assessment={
            "strengths": [
                "Keeps to a routine once it is written down",
                "Reads labels well",
                "Wants to manage his own health",
            ],
            "independent_skills": ["Makes his own breakfast", "Uses a phone alarm"],
            "preferred_outcomes": ["Take my tablets without staff watching"],
            "informal_support": ["Sister phones every Sunday and checks in"],
            "communication_preferences": ["Short written steps", "Time to ask questions"],
        },
        contribution=("direct", "Daniel set his own goal and chose the alarm times", None, None),
        outcome=(
            "Takes his morning medication independently",
            "Staff hand over each dose from the blister pack and watch it taken",
            "Self-administers from his locked cabinet with one weekly staff check",
            "MAR chart, weekly observation and a 1-10 confidence score",
            ["Keeps to a routine once it is written down", "Reads labels well"],
        ),
        steps=[
            (
                "Keeps to a routine once it is written down",
                "Stage 1: Daniel pops his own dose from the pack while staff watch",
                "MAR chart initialled by Daniel, staff observation note",
            )
        ],
        guidance="Prompt by gesture first. Do not hand over the pack; let Daniel open it.",
        hours=14,
        revisions=[
            step(
                "priya",
                180,
                "Reads labels well",
                "Stage 2: Daniel checks the label against his written list before each dose",
                "Observation notes: label check done without prompt",
                "Stage 1 done four weeks running with no missed doses",
            ),
            hours("tom", 150, 10, "Stage 2 reached; morning visit no longer needs a full hour"),
            target(
                "helen",
                120,
                "Self-administers all daily medication with a monthly check",
                "Review: Daniel asked to take over his evening tablets too",
            ),
            review("helen", 120, 8, "Progressing well; next review after the evening stage"),
            hours("tom", 165, 12, "Entered late: a rota change not recorded on the day"),
        ],
    ),
    DemoPerson(
        name="Amira Hassan",
        date_of_birth=date(1994, 9, 30),
        service_id="northgate-community-support",
        team_id="northgate-outreach",
        started_days_ago=200,
        assessment={
            "strengths": [
                "Warm with people she knows",
                "Used to bake at home",
                "Went to a community garden group before the pandemic",
            ],
            "independent_skills": ["Travels by bus on familiar routes"],
            "preferred_outcomes": ["Do something useful in the community", "Make a friend"],
            "informal_support": ["Neighbour walks with her to the shops"],
            "communication_preferences": ["Text messages rather than calls"],
        },
        contribution=(
            "through_advocate",
            "Amira wrote her goals with her advocate's help",
            "Jo Reid (independent advocate)",
            None,
        ),
        outcome=(
            "Volunteers at the community cafe two mornings a week",
            "Has not left home for social activity in a year; anxious in new places",
            "Two unaccompanied volunteering shifts each week",
            "Shift log, cafe coordinator feedback, anxiety scale 1-10 before and after",
            ["Used to bake at home", "Warm with people she knows"],
        ),
        steps=[
            (
                "Warm with people she knows",
                "Week 1-4: visit the cafe with a support worker for 30 minutes, exit agreed",
                "Visit log with Amira's own anxiety rating",
            )
        ],
        guidance="Graded exposure: agree the exit plan before each visit; never push past it.",
        hours=9,
        revisions=[
            step(
                "priya",
                150,
                "Used to bake at home",
                "Bake one tray for the cafe counter with the coordinator",
                "Coordinator feedback and photo of the bake",
                "Amira asked to contribute her baking; the cafe agreed",
            ),
            guidance(
                "tom",
                120,
                "Graded exposure with agreed exits. Support worker waits "
                "nearby rather than in the cafe.",
                "Amira now stays the full shift; support moves to nearby, not alongside",
            ),
            hours("helen", 90, 5, "Two unaccompanied shifts completed; hours reshaped"),
        ],
    ),
    DemoPerson(
        name="George Whitfield",
        date_of_birth=date(1958, 1, 22),
        service_id="riverside-supported-living",
        team_id="riverside-west",
        started_days_ago=160,
        assessment={
            "strengths": [
                "Proud of his appearance",
                "Follows spoken cues well",
                "Strong morning routine",
            ],
            "independent_skills": ["Chooses his own clothes", "Shaves with an electric razor"],
            "preferred_outcomes": ["Wash and dress without help"],
            "informal_support": ["Son visits on Saturdays"],
            "communication_preferences": ["One instruction at a time", "Plain spoken words"],
        },
        contribution=(
            "not_possible",
            "His son described George's morning routine and wishes",
            "Mark Whitfield (son)",
            "George was in hospital with a chest infection during the assessment",
        ),
        outcome=(
            "Completes his morning wash with no more than one verbal prompt",
            "Staff give full assistance with washing every morning",
            "Washes independently with at most one verbal prompt",
            "Daily note of prompt level on the prompt ladder",
            ["Follows spoken cues well", "Strong morning routine"],
        ),
        steps=[
            (
                "Follows spoken cues well",
                "Prompt ladder: gesture, then verbal cue; minimal hands-on only if George asks",
                "Daily note of the highest prompt level used",
            )
        ],
        guidance="Use the prompt ladder in order. Record the prompt level, not 'assisted'.",
        hours=21,
        revisions=[
            target(
                "tom",
                100,
                "Washes and dresses independently with one verbal prompt",
                "George now chooses and puts on his clothes unprompted",
            ),
            hours("helen", 70, 15, "Prompt level down to verbal cue on 6 of 7 days"),
            review("priya", 40, 6, "Short setback after a fall; review brought forward"),
        ],
    ),
]
