"""The demo people, drawn from the owner's practice examples: medication independence in
stages, community participation through volunteering, personal care with a prompt ladder; and
for each, months of progression on their first outcome (infra.demo.progression)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.support_plan_commands import (
    AddEnablementStep,
    ReviseOutcome,
    SetNextReviewDate,
    SetSupportHours,
    WriteStaffGuidance,
)
from infra.demo.progression import (
    REPEAT_STAGE,
    STEP_BACK,
    Entry,
    Held,
    Phase,
    Seen,
    StagePlan,
    change,
    complete,
    evidence,
    hold,
    note,
    pathway,
    progress,
    schedule,
    setback,
    start,
)


@dataclass(frozen=True)
class DemoPerson:
    name: str
    date_of_birth: date
    service_id: str
    team_id: str
    started_days_ago: int
    assessment: dict[str, list[str]]
    contribution: tuple[str, str, str | None, str | None]
    outcome: tuple[str, str, str, str, list[str], str]  # its terms, and its technique
    steps: list[tuple[str, str, str]]
    guidance: str
    hours: float
    revisions: list[Entry] = field(default_factory=list)
    progression: list[Entry] = field(default_factory=list)  # on the first outcome


def hours(who: str, days_ago: int, value: float, reason: str, written: int | None = None) -> Entry:
    return change(who, days_ago, lambda j: SetSupportHours(j.person_id, value), reason, written)


def target(who: str, days_ago: int, new_target: str, reason: str) -> Entry:
    return change(
        who, days_ago, lambda j: ReviseOutcome(j.person_id, j.outcome_id, target=new_target), reason
    )


def step(who: str, days_ago: int, strength: str, micro: str, route: str, why: str) -> Entry:
    return change(
        who,
        days_ago,
        lambda j: AddEnablementStep(j.person_id, j.outcome_id, strength, micro, route),
        why,
    )


def guidance(who: str, days_ago: int, text: str, reason: str) -> Entry:
    return change(who, days_ago, lambda j: WriteStaffGuidance(j.person_id, text), reason)


def review(who: str, days_ago: int, weeks_later: int, reason: str) -> Entry:
    return change(
        who,
        days_ago,
        lambda j: SetNextReviewDate(j.person_id, j.loader.review_date(days_ago, weeks_later)),
        reason,
    )


# The community team records graded exposure on its own ladder, most independent rung first
# (service: days ago it was named, rungs, why).
PROMPT_LADDERS = {
    "northgate-community-support": (
        205,
        ("independently", "check-in by text", "staff nearby", "staff alongside"),
        "Community support is about who is with the person, not hands-on help",
    ),
}

# Each person's progression on their first outcome, in the order it happened (fmt: off keeps
# the evidence tables readable).
# fmt: off
# -- Daniel: taking his own medication, in three stages ---------------------------------------

MEDICATION_TRIGGERS = (
    "Missed or doubled dose",
    "Confusion about which tablet is which",
    "Change in health, a hospital stay or a new prescription",
)
DANIEL = [
    pathway("tom", 236, "Step-down pathway agreed with Daniel; he chose the order of the stages",
        StagePlan(
            "Pops his own dose while staff watch",
            "Stand with Daniel at his cabinet. Let him unlock it, find the day and pop the dose "
            "himself; prompt by gesture before words. Daniel initials the MAR, staff countersign.",
            "Four weeks with every morning dose popped by Daniel and taken on time, none missed",
            6,
            MEDICATION_TRIGGERS,
        ),
        StagePlan(
            "Checks each label against his list; staff check the MAR after",
            "Wait in the kitchen, not at the cabinet. Daniel checks each label against his "
            "written list and takes his dose; afterwards he and staff look at the MAR and the "
            "pack count together and talk through any doubt.",
            "Six weeks with label checks done unprompted and the pack count right every day",
            14,
            (*MEDICATION_TRIGGERS, "Pack count does not match the MAR"),
        ),
        StagePlan(
            "Takes his medication himself, with a weekly count together",
            "No daily watch. Once a week staff and Daniel count the packs against the MAR; "
            "Daniel rings the office if a tablet looks different or he is unsure.",
            "Eight weekly counts in a row correct, and Daniel rates his confidence 8/10 or more",
            24,
            (*MEDICATION_TRIGGERS, "Missed dose found at the weekly count"),
        ),
    ),
    start("tom", 235, 1, "Daniel chose his start date and set his own alarm times"),
    progress("priya", 214, 1, "Popped every dose himself; one gesture towards the calendar"),
    progress("priya", 196, 1, "Three weeks, no missed dose; initials the MAR before staff ask"),
    complete("tom", 182, 1, "28 mornings running popped by Daniel and taken on time (MAR)"),
    start("tom", 181, 2, "Daniel asked to move on to checking the labels himself"),
    schedule("tom", 181, 120, "Review booked for after stage 2; Daniel wants his sister there"),
    setback("tom", 168, 2,
        "The GP added an evening tablet and the new pack looks different. That morning Daniel "
        "took the evening tablet with breakfast; he noticed at lunchtime and rang the office.",
        "Pharmacist advised the same day: no harm, leave out that evening's dose; GP told. "
        "Daniel and Tom made a new list with a photo of each tablet, and agreed that staff "
        "watch again until the new pack is familiar.",
        STEP_BACK,
        "New prescription and a doubled dose: escalation triggers met",
    ),
    progress("priya", 161, 1, "Uses his photo list unprompted; right tablets every morning"),
    complete("tom", 156, 1, "Twelve days on the new pack, every dose right; with the four weeks "
             "before the change, agreed as met. Daniel: 'I've got it now.'"),
    start("tom", 155, 2, "Back to label checks, agreed with Daniel and the pharmacist"),
    progress("priya", 138, 2, "Checked every label against his list unprompted for a fortnight"),
    hold(120, "Review with Daniel and his sister: label checks unprompted for five weeks",
        Held(
            what_worked="The photo list after the new prescription; Daniel doing the label "
            "check himself with staff in the kitchen, not beside him; the count together.",
            new_strengths=("Spots when a pack looks different and asks", "Keeps his own MAR"),
            support_can_reduce=True,
            barriers="Evening tablets are still handed over by staff; Daniel sometimes rushes "
            "the check when he is going out.",
            new_goals=("Take my evening tablets myself too",),
            views="I don't need you standing over me now. I want to do the evening ones as "
            "well, and I want my sister to see I'm doing it.",
            next_review_weeks=8,
            support_hours=8,
            advance_stage=True,
        ),
    ),
    progress("priya", 100, 3, "Four weekly counts right; rang the office about a paler tablet"),
    progress("tom", 80, 3, "Takes his evening tablets himself too; every count right"),
    complete("tom", 63, 3, "Eight weekly counts in a row correct; Daniel rates himself 9/10"),
    hold(62, "Review with Daniel: pathway complete",
        Held(
            what_worked="Phone alarms, the weekly count together, and Daniel ringing the "
            "office when unsure: he did so twice and was right both times.",
            new_strengths=("Manages his morning and evening medication himself",),
            support_can_reduce=False,
            barriers="Daniel wants to keep the weekly count until his GP medication review.",
            new_goals=("Order my repeat prescription online",),
            views="Keep the weekly count for now, it's my safety net. I'm proud I do it myself.",
            next_review_weeks=12,
        ),
    ),
    note("priya", 200, Seen("Daniel declined being watched today: 'give me some space, I can do "
         "it.' Staff waited in the kitchen; he took his dose on time and showed them the MAR.",
         "independent", 5, (5, 6), refused=True, mood="irritable")),
    note("tom", 168, Seen("New pack: Daniel asked staff to point to the evening tablet before he "
         "started, and for minimal hands-on help to sort the pack. Photo list started together.",
         "minimal hands-on", 3, (2, 6), mood="worried")),
    *evidence(
        6,
        Phase(235, 183, ("verbal cue", "gesture"), (3, 6), (3, 5), (
            "Supported to unlock his cabinet and find today's dose; popped it himself and took "
            "it with water.",
            "Daniel popped his own dose while staff watched and initialled the MAR himself.",
            "Checked the day on the pack with a little support; took his tablets after his "
            "8am alarm.",
            "Talked through what each tablet is for. Daniel: 'this one's for my blood pressure.'",
        ), moods=(None, "settled", None, "cheerful")),
        Phase(166, 156, ("verbal cue", "gesture"), (4, 6), (4, 5), (
            "Matched each tablet to his photo list and popped the morning dose himself.",
            "Compared the new pack with the photos; took the right tablets. 'Getting easier.'",
        ), moods=("settled",)),
        Phase(155, 121, ("gesture", "independent"), (6, 8), (5, 6), (
            "Checked each label against his list without being asked; took his dose while "
            "staff waited in the kitchen.",
            "Independently completed the label check; pack count matched the MAR.",
            "Did his whole routine, then called staff through for the count.",
        ), moods=(None, "cheerful", "settled")),
        Phase(120, 63, ("independent",), (8, 9), (6, 6), (
            "Weekly count with Daniel: every morning and evening dose taken, MAR complete.",
            "Daniel told staff he had taken his morning and evening tablets; MAR signed.",
        ), moods=("settled", None, "proud"), per_week=2),
        Phase(62, 2, ("independent",), (9, 10), (6, 6), (
            "Weekly count: all correct. Daniel reordered his prescription himself.",
            "Independently took his morning and evening doses; showed staff his MAR.",
        ), moods=(None, "cheerful"), per_week=2),
    ),
]


# -- Amira: volunteering at the community cafe, graded exposure ---------------------------------

CAFE_TRIGGERS = (
    "Anxiety rated 8 or more, or a panic attack",
    "Going out less than before",
    "Says she does not feel safe on the bus or at the cafe",
)
AMIRA = [
    pathway("tom", 196, "Graded pathway agreed with Amira and Jo Reid, her advocate",
        StagePlan(
            "Cafe visits and shifts with a support worker alongside",
            "Go with Amira at the quiet time she chooses. Agree the exit plan before every visit "
            "and leave when she says, without persuading. Ask her anxiety rating before and "
            "after.",
            "Three shifts running where Amira stays the agreed time and rates her anxiety 5 or "
            "less afterwards",
            8,
            CAFE_TRIGGERS,
        ),
        StagePlan(
            "Shifts with staff nearby, not alongside",
            "Travel with Amira, then wait in the library next door. She texts if she wants to "
            "leave; the cafe coordinator is her contact on shift.",
            "Four shifts with staff nearby, and Amira says she is ready to try on her own",
            16,
            (*CAFE_TRIGGERS, "Leaves a shift early twice running"),
        ),
        StagePlan(
            "Unaccompanied shifts with a text check-in",
            "Amira travels and works her shift alone, texting when she arrives and leaves. If "
            "there is no text within 30 minutes of the shift ending, staff ring her.",
            "Two unaccompanied shifts a week for twelve weeks, and Amira chooses what comes next",
            26,
            (*CAFE_TRIGGERS, "No text after a shift and no answer by phone"),
            "PROMPT_LADDER",  # the text check-in is a rung of the service's prompt ladder
        ),
    ),
    start("tom", 195, 1, "Amira chose the quiet mid-morning slot for her visits"),
    progress("priya", 185, 1, "Stayed 30 minutes twice; anxiety 7 before and 4 after, her ratings"),
    setback("priya", 176, 1,
        "The cafe was unexpectedly busy with a school group. Amira used her exit plan after ten "
        "minutes and said she did not want to go to her next visit.",
        "The exit plan worked as agreed and no one persuaded her to stay. Talked it through at "
        "home the next day; Amira chose to repeat the stage at the same quiet time, and the "
        "coordinator now texts her when a group is booked.",
        REPEAT_STAGE,
        "Setback at the first stage; Amira chose to repeat it",
    ),
    progress("priya", 160, 1, "Stays the full two-hour shift; asked if she could bring baking"),
    progress("tom", 138, 1, "Her flapjacks sold out; the coordinator asked for a tray each week"),
    complete("tom", 124, 1, "Three full shifts running, anxiety 4, 5 and 3 afterwards"),
    start("tom", 123, 2, "Amira asked for staff to wait outside rather than in the cafe"),
    schedule("tom", 123, 101, "Review booked with Amira and Jo three weeks into the new stage"),
    progress("priya", 110, 2, "Two shifts with staff next door; no texts asking to leave"),
    hold(101, "Review with Amira and Jo Reid: four shifts with staff nearby",
        Held(
            what_worked="Exit plans she never had to argue for; baking for the counter; staff "
            "waiting next door rather than beside her.",
            new_strengths=("Talks with regulars at the counter", "Plans her own bus journey"),
            support_can_reduce=True,
            barriers="Bus diversions unsettle her, and days when a group is booked.",
            new_goals=("Go to the cafe on my own", "Make a friend there"),
            views="I don't need anyone in the library any more. I want to go on my own and "
            "text you when I get there.",
            next_review_weeks=8,
            advance_stage=True,
        ),
    ),
    progress("priya", 80, 3, "Texts on arrival and leaving; rang the cafe about a diversion"),
    hold(44, "Review with Amira and Jo Reid: unaccompanied shifts since the last review",
        Held(
            what_worked="Unaccompanied shifts with a text check-in; the coordinator as her "
            "contact; Amira planning her own route when the buses change.",
            new_strengths=("Shows new volunteers how the till works", "Handles bus diversions"),
            support_can_reduce=False,
            barriers="Still avoids the cafe on days a group is booked; wants to keep the text "
            "check-in for now.",
            new_goals=("Try a Saturday shift",),
            views="I like my shifts. Sasha at the cafe is my friend now. Keep the texts for now, "
            "they help.",
            next_review_weeks=12,
        ),
    ),
    complete("tom", 16, 3, "Twelve weeks of two unaccompanied shifts a week (shift log)"),
    note("priya", 176, Seen("Cafe busy with a school group; Amira used her exit plan after ten "
         "minutes and we left together as agreed. Amira: 'I felt trapped in there.'",
         "staff alongside", 2, (1, 5), mood="anxious")),
    note("priya", 171, Seen("Amira decided not to go today: 'not this week, I need a rest.' Her "
         "choice respected; she planned her next visit herself.", confidence=3,
         refused=True, mood="low")),
    *evidence(
        5,
        Phase(195, 161, ("staff alongside",), (2, 4), (1, 3), (
            "Supported to travel to the cafe and agree her exit plan; stayed until the time she "
            "chose.",
            "Served at the counter with Priya alongside; anxiety 6 before, 4 after (her ratings).",
            "Talked with the coordinator about what she would like to do; chose the counter.",
        ), moods=("anxious", None, "calm")),
        Phase(160, 125, ("staff alongside",), (4, 5), (3, 4), (
            "Brought a tray of flapjacks she baked at home. Amira: 'people actually bought them.'",
            "Stayed the full shift with staff alongside; chatted with a regular about baking.",
            "Took her break in the cafe rather than outside, her idea.",
        ), moods=("proud", None, "calm")),
        Phase(122, 102, ("staff nearby",), (5, 7), (4, 5), (
            "Did her shift while Priya waited in the library next door; no texts needed.",
            "Completed the full shift with staff nearby; served two regulars by name.",
            "Baked scones for the counter. Coordinator: 'Amira runs the counter now.'",
        ), moods=(None, "cheerful")),
        Phase(100, 45, ("check-in by text",), (6, 8), (5, 5), (
            "Unaccompanied shift: Amira texted on arrival and when she left, as agreed.",
            "Independently travelled by bus and did her shift; check-in texts both ways.",
            "Told staff about her shift: 'Sasha showed me the coffee machine.'",
        ), moods=("calm", None, "cheerful")),
        Phase(44, 2, ("check-in by text", "independently"), (8, 9), (5, 5), (
            "Went to her shift on her own; texted when she got home, her choice.",
            "Showed a new volunteer the till. Amira: 'I remember being new.'",
            "Independently completed her shift and her journey both ways.",
        ), moods=(None, "proud")),
    ),
]


# -- George: his morning wash, with the prompt ladder ---------------------------------------------

WASH_TRIGGERS = (
    "Fall or near miss",
    "Dizziness or breathlessness",
    "Red or broken skin",
    "Declines to wash two days running",
)
GEORGE = [
    pathway("tom", 156, "Step-down pathway agreed with George and his son Mark",
        StagePlan(
            "Morning wash with staff alongside, one instruction at a time",
            "Stand beside George at the basin. Give one spoken instruction at a time and wait "
            "for him; hands-on help only if he asks. Record the prompt level, not 'assisted'.",
            "Two weeks where George does four of the six steps himself, with a verbal cue at most",
            4,
            WASH_TRIGGERS,
        ),
        StagePlan(
            "Morning wash with staff at the door, verbal cues only",
            "Set out the towel and wash things with George, then wait at the bathroom door. "
            "Give a verbal cue only if he pauses for more than a minute; no hands-on.",
            "Three weeks with a verbal cue at most on 6 days out of 7",
            12,
            WASH_TRIGGERS,
        ),
        StagePlan(
            "Washes on his own with one check-in",
            "George washes with the door pulled to. Staff knock once when he has finished and "
            "ask how it went; a gesture towards the next item only if he asks.",
            "Four weeks washing independently or with a single prompt, with no falls",
            24,
            WASH_TRIGGERS,
        ),
    ),
    start("tom", 155, 1, "George is home from hospital and wants to start straight away"),
    progress("priya", 142, 1, "Four of six steps with verbal cues; asks for help with his back"),
    complete("tom", 128, 1, "Two weeks at four or more steps himself, verbal cue at most"),
    start("tom", 127, 2, "George asked for staff to wait outside the bathroom"),
    schedule("tom", 127, 105, "Review booked with George and Mark three weeks into stage 2"),
    hold(105, "Review with George and his son Mark",
        Held(
            what_worked="One instruction at a time; George choosing the order of his wash; "
            "staff waiting at the door.",
            new_strengths=("Chooses and puts on his own clothes", "Sets out his wash things"),
            support_can_reduce=False,
            barriers="Mornings are slower when his chest is tight; staff stay near the shower.",
            new_goals=("Wash without anyone at the door",),
            views="I want to be ready before Mark comes on Saturday. Just tell me once and "
            "I'll do it.",
            next_review_weeks=16,
        ),
    ),
    progress("priya", 86, 2, "Verbal cue on 6 of 7 days; sets out his own towel"),
    complete("tom", 72, 2, "Three weeks at a verbal cue or less on 6 days out of 7"),
    start("tom", 71, 3, "George asked to try with the door pulled to"),
    progress("priya", 58, 3, "Washed alone with one check-in on five mornings this week"),
    setback("tom", 46, 3,
        "George slipped stepping out of the shower in the morning. No injury; the GP saw him "
        "the next day. He was shaken and asked for someone nearby.",
        "Fall reported and escalated as the stage says; the occupational therapist fitted a "
        "grab rail and a non-slip mat that week. Agreed with George to step back to staff at "
        "the door until he feels steady.",
        STEP_BACK,
        "Fall in the shower: escalation trigger met (entered two days later)",
        written=44,
    ),
    progress("priya", 35, 2, "Back to verbal cues only; uses the grab rail without reminders"),
    hold(26, "Review brought forward after George's fall",
        Held(
            what_worked="Grab rail and non-slip mat; stepping back for three weeks rather than "
            "stopping; going at George's pace.",
            new_strengths=("Uses the grab rail every time", "Says when he feels unsteady"),
            support_can_reduce=False,
            barriers="His confidence dipped after the fall; tight chest on cold mornings.",
            new_goals=("Wash on my own again",),
            views="The rail makes me feel safe. I'm ready to go back to doing it myself; just "
            "knock when I'm done.",
            next_review_weeks=8,
            advance_stage=True,
        ),
    ),
    note("priya", 110, Seen("George declined his wash this morning: 'I'll have a bath tonight "
         "instead.' Respected; he had his bath at seven with verbal cues.", "verbal cue", 5,
         (4, 6), refused=True, mood="tired")),
    note("tom", 46, Seen("George slipped stepping out of the shower; no injury. Supported to sit "
         "and checked for pain; on-call manager rung. George: 'I'm alright, just shaken.'",
         "minimal hands-on", 3, (3, 6), mood="shaken"), written=45),
    *evidence(
        6,
        Phase(155, 129, ("minimal hands-on", "verbal cue"), (3, 5), (2, 4), (
            "Supported to run the water and check the temperature; washed his face and hands "
            "himself with verbal cues.",
            "George chose the order today; one instruction at a time, hands-on help with his "
            "back when he asked.",
            "Washed and dried his upper body himself. George: 'I can do more than you think.'",
        ), moods=(None, "chatty", "tired")),
        Phase(127, 73, ("verbal cue",), (5, 7), (4, 5), (
            "Staff waited at the door; George washed with a verbal cue when he paused.",
            "Set out his own towel and wash things; one verbal cue to dry his feet.",
            "Completed his wash, chose his clothes and dressed himself unprompted.",
        ), moods=("settled", None, "cheerful")),
        Phase(71, 47, ("gesture", "independent"), (7, 8), (5, 6), (
            "Washed on his own with the door pulled to; one check-in at the end.",
            "Independently completed his wash; asked for a gesture towards his deodorant.",
        ), moods=("proud", None)),
        Phase(44, 27, ("minimal hands-on", "verbal cue"), (4, 6), (4, 5), (
            "Staff at the door again, at George's request; used the grab rail without a reminder.",
            "Washed with verbal cues; said he feels steadier with the mat down.",
        ), moods=("anxious", "settled")),
        Phase(25, 2, ("gesture", "independent"), (6, 8), (5, 6), (
            "Washed on his own with one check-in; used the rail stepping out.",
            "Independently completed his morning wash and dressed before breakfast.",
        ), moods=(None, "cheerful")),
    ),
]
# fmt: on


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
            "PROMPT_LADDER",
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
            hours("tom", 165, 12, "Entered late: a rota change not recorded on the day", 120),
        ],
        progression=DANIEL,
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
            "GRADED_EXPOSURE",
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
        progression=AMIRA,
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
            "PROMPT_LADDER",
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
            review("priya", 40, 2, "Short setback after a fall; review brought forward"),
        ],
        progression=GEORGE,
    ),
]
