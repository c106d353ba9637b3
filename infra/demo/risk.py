"""The demo people's risk records: Amira's decision to travel to the cafe alone (agreed with her
advocate's views, later relaxed, then tightened after an incident: infra.demo.incident), the
locked cabinet for Daniel's medication (continued, reduced, then lifted as his pathway went on),
and the door sensor put in for George after his fall, never reviewed and so overdue. Each
written through the real commands, on the day it took effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.person_commands import RecordAdvocate
from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.restriction_commands import ImposeRestriction, ReviewRestriction
from domain.risk_decision import RiskReviewOutcome
from domain.risk_decision_commands import (
    AgreeRiskDecision,
    ProposeRiskDecision,
    RecordRiskDecisionParts,
    ReviewRiskDecision,
)
from infra.demo.incident import amira_misses_her_stop
from infra.demo.loader import DemoLoader


def on(loader: DemoLoader, days_ago: int) -> date:
    return (loader.now - timedelta(days=days_ago)).date()


# -- Amira: travelling to the community cafe on her own ---------------------------------------


def amira_travels_alone(loader: DemoLoader, person_id: str) -> str:
    advocate = RecordAdvocate(person_id, "Jo Reid", "Independent advocate")
    loader.run("priya", 200, advocate, "Jo helped Amira write her goals at assessment")
    proposal = ProposeRiskDecision(
        person_id,
        "Travelling by bus to the community cafe and back on her own for her volunteering shifts",
        risks=[
            "Anxiety on the bus or at the stop, with no one there to help her settle",
            "A missed stop or a cancelled bus leaving her somewhere unfamiliar",
            "Her phone running flat so she cannot reach anyone",
        ],
        could_go_right="Amira gets to her shifts like the other volunteers, on her own terms; "
        "her confidence grows, and the hours spent escorting her go to what she still wants "
        "help with.",
        could_go_wrong="She is overwhelmed on the way, turns back or is stranded without a way "
        "to reach anyone, and her confidence about going out drops.",
        person_views="I know the number 12. I want to go like everyone else, not with someone "
        "walking me there. I'll text, texting is easier than calling.",
    )
    decision_id = loader.run(
        "priya", 108, proposal, "Amira asked to go to her shifts alone"
    ).record_id
    parts = RecordRiskDecisionParts(
        decision_id,
        safeguards=[
            "Phone charged before she leaves, with the bus app and the office number saved",
            "Texts staff when she arrives at the cafe and when she sets off home",
            "A card in her bag with her route and the coordinator's number",
            "The cafe coordinator rings the office if Amira has not arrived by 10:15",
        ],
        escalation="No text within 30 minutes of her shift starting: staff text, then ring, "
        "then ring the cafe. No contact within the hour: the on-call manager is told and "
        "decides whether someone goes out; police only if there is reason to think she is in "
        "danger.",
        review_by=loader.review_date(104, weeks_later=8),
        advocate_views="Jo Reid: Amira made this choice clearly and understands the risks; the "
        "safeguards are ones she chose. Texting, not calls, should stay her way of checking "
        "in, and the review should look at dropping the arrival text once she is settled.",
    )
    loader.run("tom", 106, parts, "Safeguards worked out with Amira and Jo")
    loader.run("helen", 104, AgreeRiskDecision(decision_id), "Agreed with Amira and Jo")
    review = ReviewRiskDecision(
        decision_id,
        RiskReviewOutcome.RELAX_SAFEGUARDS,
        loader.review_date(46, weeks_later=12),
        safeguards=[
            "Phone charged before she leaves, with the office number saved",
            "Texts staff when she is home, the one check-in she chose",
            "The cafe coordinator rings the office if Amira has not arrived by 10:15",
        ],
    )
    why = (
        "Eight weeks of unaccompanied shifts with every check-in sent; Amira asked to text "
        "only when she is home and Jo Reid agreed"
    )
    loader.run("helen", 46, review, why)
    return decision_id


# -- restrictions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    days_ago: int
    outcome: ReviewOutcome
    reason: str
    justification: str | None = None
    what_changed: str | None = None
    next_review_weeks: int | None = None


def restrict(
    loader: DemoLoader, days_ago: int, command: ImposeRestriction, reason: str, *reviews: Review
) -> str:
    restriction_id = loader.run("helen", days_ago, command, reason).record_id
    for review in reviews:
        weeks = review.next_review_weeks
        next_review_by = None if weeks is None else loader.review_date(review.days_ago, weeks)
        command_ = ReviewRestriction(restriction_id, review.outcome, review.justification,
                                     review.what_changed, next_review_by)  # fmt: skip
        loader.run("helen", review.days_ago, command_, review.reason)
    return restriction_id


def daniel_medication_cabinet(loader: DemoLoader, person_id: str) -> None:
    cabinet = ImposeRestriction(
        person_id,
        what="Daniel's medication is kept in a locked cabinet; staff hold the key and open it "
        "with him at each dose time",
        why="Before moving in Daniel twice took a second dose when he could not remember "
        "taking the first; a full supply within reach risks an overdose until he has a routine",
        basis=RestrictionBasis.BEST_INTERESTS,
        basis_detail="Best-interests decision after a capacity assessment on managing a full "
        "supply of medication, made with Daniel, his sister and the community pharmacist",
        proportionality="Daniel still unlocks the cabinet, pops and takes every dose himself; "
        "only unwatched access to the whole supply is restricted, and only until his "
        "medication pathway shows he has a safe routine",
        less_restrictive_options=[
            "Daniel holding his own key with phone alarms: not yet, as he could not tell "
            "whether a dose had been taken",
            "Staff holding only the spare supply: to be tried at stage 2 of his pathway",
            "Blister packs with the day and time printed: adopted alongside the cabinet",
        ],
        agreed_by="Helen Marsh (manager), with Daniel, his sister and the pharmacist",
        review_by=loader.review_date(237, weeks_later=12),
    )
    restrict(
        loader, 237, cabinet, "Agreed with Daniel when his plan was agreed",
        Review(160, ReviewOutcome.CONTINUED, "Restriction review after the doubled dose",
               justification="Eight days ago Daniel took his new evening tablet with breakfast. "
               "While he learns the new pack with his photo list, staff keep the key and watch "
               "again. Daniel agreed: 'until I know the new one.'",
               next_review_weeks=8),
        Review(120, ReviewOutcome.REDUCED, "Reviewed with Daniel and his sister at his review",
               what_changed="Label checks unprompted for five weeks and the pack count right "
               "every day: Daniel now holds his own cabinet key and takes his doses unwatched. "
               "Staff keep only the spare key and the reserve stock, and count with him weekly.",
               next_review_weeks=8),
        Review(62, ReviewOutcome.LIFTED, "Lifted at Daniel's pathway-complete review",
               what_changed="Eight weekly counts in a row right, morning and evening tablets "
               "taken by Daniel himself: he holds both keys and the reserve stock. The weekly "
               "count goes on as his own safety net, not as a restriction."),
    )  # fmt: skip


def george_door_sensor(loader: DemoLoader, person_id: str) -> None:
    sensor = ImposeRestriction(
        person_id,
        what="A sensor on George's bathroom door alerts the sleep-in worker when he goes in "
        "between 10pm and 7am",
        why="George fell on the ward at night just before he came home, and is unsteady when "
        "he first gets up since his chest infection",
        basis=RestrictionBasis.CONSENT,
        basis_detail="George agreed, with his son Mark there, and asked that staff come only "
        "if he has not come out within ten minutes",
        proportionality="Nothing stops George going: staff respond only if he has not come out "
        "within ten minutes, and the sensor is off during the day",
        less_restrictive_options=[
            "A night-light and a clear path to the bathroom: in place, not enough on its own",
            "His call bell: George forgets it when he is half asleep",
            "Hourly night checks: more intrusive, and George did not want them",
        ],
        agreed_by="Helen Marsh (manager), with George and his son Mark",
        review_by=on(loader, 100),
    )
    # Never reviewed: it is overdue, as an inspector should find it.
    restrict(loader, 120, sensor, "After George's fall on the ward before discharge")


def load_risks(loader: DemoLoader, people: dict[str, str]) -> None:
    """Writes each person's risk records; `people` maps their names to their ids."""
    daniel_medication_cabinet(loader, people["Daniel Price"])
    amira = people["Amira Hassan"]
    amira_misses_her_stop(loader, amira, amira_travels_alone(loader, amira))
    george_door_sensor(loader, people["George Whitfield"])
