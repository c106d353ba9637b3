"""The words simulated histories are written in, in the demo people's vocabulary: what a person
is good at and wants, the outcome they work towards in stages, and what staff see on the day.
`{name}` stands for the person's first name."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = (
    "Daniel",
    "Amira",
    "George",
    "Sofia",
    "Kwame",
    "Mei",
    "Liam",
    "Zainab",
    "Owen",
    "Priti",
    "Callum",
    "Grace",
    "Tomasz",
    "Aisha",
    "Rhys",
    "Niamh",
    "Jamal",
    "Ellie",
    "Hamza",
    "Ruth",
    "Ibrahim",
    "Chloe",
    "Marek",
    "Joy",
)
SURNAMES = (
    "Price",
    "Hassan",
    "Whitfield",
    "Kowalski",
    "Mensah",
    "Chen",
    "Doyle",
    "Begum",
    "Evans",
    "Patel",
    "Fraser",
    "Okoro",
    "Nowak",
    "Rahman",
    "Hughes",
    "Byrne",
    "Ali",
    "Turner",
    "Singh",
    "Campbell",
    "Adeyemi",
    "Walsh",
    "Murray",
    "Lewis",
)
MOODS = (
    None,
    None,
    "settled",
    "cheerful",
    "calm",
    "tired",
    "chatty",
    "proud",
    "anxious",
    "irritable",
    "quiet",
)
INDEPENDENT_SKILLS = (
    "Makes his or her own breakfast",
    "Uses a phone alarm",
    "Chooses own clothes",
    "Travels by bus on familiar routes",
    "Keeps a tidy room",
    "Texts friends and family",
)
INFORMAL_SUPPORT = (
    "Sister phones every Sunday",
    "Neighbour walks with {name} to the shops",
    "Son visits on Saturdays",
    "A friend from church checks in weekly",
    "Mum helps with letters",
)
COMMUNICATION = (
    "Short written steps",
    "Time to ask questions",
    "Text messages rather than calls",
    "One instruction at a time",
    "Plain spoken words",
    "Pictures alongside words",
)
ADVOCATES = (
    ("Jo Reid", "Independent advocate"),
    ("Sam Ortiz", "Independent advocate"),
    ("Pat Greene", "Care Act advocate"),
)
GUIDANCE = (
    "Prompt by gesture first; wait before giving words. Let {name} lead and record the prompt "
    "level, not 'assisted'.",
    "Agree the plan for the visit with {name} first and never push past an agreed exit.",
    "One instruction at a time. Praise what {name} did, not what staff did.",
    "Step back as {name} takes over: stand nearby rather than alongside once a step is done "
    "unprompted three times running.",
)
REVIEW_VIEWS = (
    "I'm doing more of it myself now and I want to keep going.",
    "Some days are harder, but I don't want you doing it for me.",
    "I want my family to see I can do it.",
    "Can we slow down a bit? I got worried last month.",
)
WHAT_WORKED = (
    "Going at {name}'s pace; staff waiting rather than stepping in.",
    "Written steps on the fridge, and {name} choosing the order.",
    "Praise for what {name} did, and a short chat afterwards about how it went.",
)
BARRIERS = (
    "Confidence dips after a bad night.",
    "Changes of staff unsettle {name}.",
    "Busy mornings leave little time to wait.",
)
NEW_STRENGTHS = (
    "Asks for help when unsure",
    "Remembers the order of the steps",
    "Tells staff what went well",
    "Stays calm when plans change",
)


@dataclass(frozen=True)
class Theme:
    """One kind of outcome a person works towards, with its step-down pathway."""

    strengths: tuple[str, str, str]
    preferred: str
    outcome: tuple[str, str, str, str]  # title, baseline, target, evidenced by
    stages: tuple[tuple[str, str, str], ...]  # title, what staff will do, exit criteria
    triggers: tuple[str, ...]
    micro_steps: tuple[str, ...]
    notes: tuple[str, ...]
    setbacks: tuple[tuple[str, str], ...]  # what happened, what was done
    activity: str  # a positive risk-taking decision about it
    restriction: tuple[str, str, str]  # what, why, proportionality


THEMES = (
    Theme(
        (
            "Keeps to a routine once it is written down",
            "Reads labels well",
            "Wants to manage own health",
        ),
        "Take my tablets without staff watching",
        (
            "Takes morning medication independently",
            "Staff hand over each dose from the blister pack and watch it taken",
            "Self-administers from a locked cabinet with one weekly staff check",
            "MAR chart, weekly observation and a 1-10 confidence score",
        ),
        (
            (
                "Pops own dose while staff watch",
                "Stand with {name} at the cabinet; prompt by gesture before words.",
                "Four weeks of doses popped by {name}, none missed",
            ),
            (
                "Checks each label against a list; staff check the MAR after",
                "Wait in the kitchen; look at the MAR together afterwards.",
                "Six weeks of label checks done unprompted",
            ),
            (
                "Takes medication with a weekly count together",
                "No daily watch; count the packs with {name} once a week.",
                "Eight weekly counts in a row correct",
            ),
        ),
        (
            "Missed or doubled dose",
            "Confusion about which tablet is which",
            "A new prescription",
        ),
        (
            "{name} pops the dose while staff watch",
            "{name} checks the label against the list",
            "{name} initials the MAR before staff ask",
        ),
        (
            "Popped the morning dose and took it with water.",
            "Checked the day on the pack; took the tablets after the 8am alarm.",
            "Talked through what each tablet is for.",
            "Initialled the MAR without a reminder.",
        ),
        (
            (
                "{name} took the evening tablet with breakfast and rang the office at lunchtime.",
                "Pharmacist advised the same day; a photo list of each tablet made together.",
            ),
            (
                "{name} missed the morning dose after a late night.",
                "Dose taken late on the pharmacist's advice; alarm moved to a later time.",
            ),
        ),
        "Going to the pharmacy alone to collect the repeat prescription",
        (
            "Medication kept in a locked cabinet; staff hold the key",
            "Twice took a second dose when unsure whether the first was taken",
            "{name} still opens the cabinet and takes every dose; only unwatched access to the "
            "whole supply is restricted",
        ),
    ),
    Theme(
        (
            "Warm with people she or he knows",
            "Used to bake at home",
            "Enjoys being useful",
        ),
        "Do something useful in the community",
        (
            "Volunteers at the community cafe two mornings a week",
            "Has not left home for social activity in a year; anxious in new places",
            "Two unaccompanied volunteering shifts each week",
            "Shift log, coordinator feedback, anxiety scale 1-10 before and after",
        ),
        (
            (
                "Visits the cafe with staff alongside",
                "Go with {name}; agree the exit plan first.",
                "Four visits of 30 minutes with the exit not needed",
            ),
            (
                "Does a shift with staff nearby",
                "Wait in the library next door.",
                "Three full shifts with staff nearby",
            ),
            (
                "Does a shift alone with check-in texts",
                "Text on arrival and on leaving.",
                "Six unaccompanied shifts with every check-in sent",
            ),
        ),
        ("Panic in the cafe", "Leaves the shift early twice running", "No check-in text"),
        (
            "Bake one tray for the cafe counter",
            "Serve two regulars by name",
            "Travel by bus to the cafe with staff a seat behind",
        ),
        (
            "Did the shift and chatted with the coordinator.",
            "Baked scones for the counter.",
            "Travelled by bus and did the shift.",
            "Served customers at the till.",
        ),
        (
            (
                "{name} left the cafe after ten minutes when a new manager was on shift.",
                "Talked it through at home; the coordinator introduced the manager the next week.",
            ),
            (
                "{name} did not go to the shift after a noisy night in the flat.",
                "Rang the cafe together; agreed a shorter shift next time.",
            ),
        ),
        "Travelling to the community cafe by bus alone",
        (
            "Front door sensor alerts staff when {name} leaves between 11pm and 6am",
            "Left the flat at night twice in a confused state",
            "Nothing stops {name} going out; staff only check {name} is safe",
        ),
    ),
    Theme(
        (
            "Proud of his or her appearance",
            "Follows spoken cues well",
            "Strong morning routine",
        ),
        "Wash and dress without help",
        (
            "Completes the morning wash with no more than one verbal prompt",
            "Staff give full assistance with washing every morning",
            "Washes independently with at most one verbal prompt",
            "Daily note of prompt level on the prompt ladder",
        ),
        (
            (
                "Morning wash with staff alongside",
                "Stand beside {name}; one instruction at a time.",
                "Two weeks doing four of six steps with a verbal cue at most",
            ),
            (
                "Morning wash with staff at the door",
                "Wait at the door; verbal cues only.",
                "Three weeks at a verbal cue or less on six days out of seven",
            ),
            (
                "Washes alone with one check-in",
                "Knock once when {name} has finished.",
                "Four weeks washing independently with no falls",
            ),
        ),
        ("Fall or near miss", "Dizziness", "Red or broken skin"),
        (
            "Sets out the towel and wash things",
            "Dries feet with the long-handled sponge",
            "Chooses and puts on clothes",
        ),
        (
            "Washed face and hands with verbal cues.",
            "Chose the order of the wash today.",
            "Completed the wash and dressed before breakfast.",
            "Used the grab rail unprompted.",
        ),
        (
            (
                "{name} slipped stepping out of the shower; no injury.",
                "Fall reported; a grab rail and non-slip mat fitted that week.",
            ),
            (
                "{name} was dizzy at the basin and sat down.",
                "GP saw {name}; staff stay at the door until it settles.",
            ),
        ),
        "Taking a bath alone in the evening",
        (
            "A sensor on the bathroom door alerts the sleep-in worker at night",
            "Fell at night just before coming home",
            "Staff respond only if {name} has not come out within ten minutes",
        ),
    ),
    Theme(
        ("Good with numbers", "Likes to plan ahead", "Keen to cook for friends"),
        "Cook my own tea",
        (
            "Cooks a simple evening meal",
            "Staff cook the evening meal while {name} watches",
            "Cooks three evening meals a week with staff nearby",
            "Meal log with photos and a 1-10 confidence score",
        ),
        (
            (
                "Cooks alongside staff",
                "Cook together; {name} does the chopping and stirring.",
                "Four meals made together with {name} leading",
            ),
            (
                "Cooks with staff nearby",
                "Stay in the next room; come if asked.",
                "Six meals with no help needed at the hob",
            ),
            (
                "Cooks alone with a check-in",
                "Check in once the meal is ready.",
                "Four weeks of meals cooked alone safely",
            ),
        ),
        ("A burn or scald", "Hob left on", "Food out of date eaten"),
        (
            "Writes the shopping list for the week",
            "Sets a timer for the pasta",
            "Checks the dates in the fridge",
        ),
        (
            "Cooked pasta with a sauce; set the timer.",
            "Made a shopping list for three meals.",
            "Cooked tea and washed up.",
            "Tried a new recipe from the picture book.",
        ),
        (
            (
                "{name} left a pan on the hob and went to watch TV; smoke alarm went off.",
                "No harm; a timer with a loud alarm bought together.",
            ),
            (
                "{name} burned a finger draining pasta.",
                "First aid given; practised draining with the colander in the sink.",
            ),
        ),
        "Using the hob alone when staff are not in the flat",
        (
            "The hob is isolated at the wall overnight",
            "Left the hob on twice at night",
            "{name} can cook any time staff are awake; only unattended night use is stopped",
        ),
    ),
)

SERVICES = (
    # service, teams, its own prompt ladder (None: the default)
    ("riverside-supported-living", ("riverside-east", "riverside-west"), None),
    (
        "northgate-community-support",
        ("northgate-outreach",),
        ("independently", "check-in by text", "staff nearby", "staff alongside"),
    ),
    ("harbour-house", ("harbour-day", "harbour-night"), None),
    (
        "meadow-view-outreach",
        ("meadow-north", "meadow-south"),
        ("on their own", "reminder", "gesture", "verbal cue", "hands-on help"),
    ),
)
