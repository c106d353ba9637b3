"""The demo staff: Helen manages; Tom (outreach team) and Priya (day team) work at Northgate.
Priya's induction, supervision and prompt-ladder sign-off are current; Tom's prompt-ladder
sign-off lapsed a fortnight before the incident he was involved in (infra.demo.incident), while
his graded-exposure sign-off is current."""

from __future__ import annotations

from datetime import timedelta

from domain.staff import InductionPart, Technique
from domain.staff_commands import (
    CompleteInduction,
    HoldSupervision,
    JoinStaff,
    RecordInduction,
    SignOffCompetency,
)
from infra.demo.loader import STAFF, DemoLoader

NORTHGATE = "northgate-community-support"
TEAMS = {"tom": "northgate-outreach", "priya": "northgate-day"}


def load_staff(loader: DemoLoader) -> None:
    helen = STAFF["helen"]
    loader.run("ada", 900, JoinStaff(helen.id, helen.name, helen.role,
                                       "riverside-supported-living"))  # fmt: skip
    for who, started in (("tom", 700), ("priya", 400)):
        actor = STAFF[who]
        loader.run("helen", started, JoinStaff(actor.id, actor.name, actor.role, NORTHGATE,
                                               TEAMS[who]))  # fmt: skip
    induct(loader, STAFF["priya"].id, started=400)
    supervise(loader, STAFF["priya"].id, (330, 260, 190, 120, 50))
    supervise(loader, STAFF["tom"].id, (400, 300, 200, 100, 20))
    sign_off(loader, STAFF["tom"].id, Technique.PROMPT_LADDER, 388, lapses=23,
             evidence="Observed with Daniel at his evening medication: stepped back from a "
             "gesture to a verbal cue, and waited")  # fmt: skip
    sign_off(loader, STAFF["tom"].id, Technique.GRADED_EXPOSURE, 150, lapses=-215,
             evidence="Observed with Amira at the cafe: agreed the exit before the visit and "
             "kept to it")  # fmt: skip
    sign_off(loader, STAFF["priya"].id, Technique.PROMPT_LADDER, 100, lapses=-265,
             evidence="Observed with George at his morning routine: named the rung before "
             "each prompt")  # fmt: skip


def induct(loader: DemoLoader, staff_id: str, started: int) -> None:
    parts = {
        InductionPart.COMPETENCY_CHECK: "Prompt ladder and graded exposure explained back",
        InductionPart.OBSERVED_PRACTICE_DISCUSSION: "Talked through a shadowed visit with Tom",
        InductionPart.LEARNING_OUTCOME: "Can say what 'doing with, not for' means on a visit",
        InductionPart.SUPERVISION_FOLLOW_UP: "Monthly supervision agreed for probation",
        InductionPart.PROBATION_REVIEW: "Probation passed; strengths in building trust",
    }
    for n, (part, detail) in enumerate(parts.items()):
        day = started - 7 * (n + 1)
        follow_up = loader.review_date(day, weeks_later=10)
        loader.run("tom", day, RecordInduction(staff_id, part, detail, follow_up))
    confirmation = ("Here people choose what they work on; I prompt and wait before I help, "
                    "and I record what they did, not what I did")  # fmt: skip
    loader.run("helen", started - 40, CompleteInduction(staff_id, confirmation))


def supervise(loader: DemoLoader, staff_id: str, days: tuple[int, ...]) -> None:
    for day in days:
        held = HoldSupervision(
            staff_id,
            "Went through notes that said 'done for': agreed prompts to try first",
            "None in force for their people this month",
            "Steps gained on each outcome reviewed with the notes",
            ["Observe one visit before the next supervision"],
            loader.review_date(day, weeks_later=10),
        )
        loader.run("helen", day, held)


def sign_off(loader: DemoLoader, staff_id: str, technique: Technique, days_ago: int,
             lapses: int, evidence: str) -> None:  # fmt: skip
    """Signed off `days_ago`; its refresher falls `lapses` days ago (negative: still ahead)."""
    due = (loader.now - timedelta(days=lapses)).date()
    loader.run("helen", days_ago, SignOffCompetency(staff_id, technique, evidence, due))
