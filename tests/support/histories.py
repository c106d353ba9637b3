"""Histories of every kind of record, for the property harness (tests/integration/
test_in_force.py): how each record begins, and the changes (and corrections) it may go through,
each a command on the record. The harness is driven by the declarations: a kind of record
without histories here fails it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from hypothesis import strategies as st

from domain.assessment import ContributionMode, Section
from domain.assessment_commands import (
    CompleteAssessment,
    RecordAssessmentSection,
    RecordContribution,
    StartAssessment,
)
from domain.commands import Command
from domain.corrections import MarkEnteredInError
from domain.envelope import Role
from domain.evidence_note import RecordEvidenceNote
from domain.incident import HarmLevel
from domain.incident_commands import (
    AgreePracticeChange,
    AnalyseIncident,
    CloseIncident,
    CommunicateLearning,
    IdentifyLearning,
    RecordIncidentViews,
    ReportIncident,
)
from domain.person_commands import MovePerson, RecordAdvocate, RecordConsentToShare, RegisterPerson
from domain.provider_policy import AddTechnique, SetRestrictionReviewLimit
from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.restriction_commands import ImposeRestriction, ReviewRestriction
from domain.risk_decision import RiskReviewOutcome
from domain.risk_decision_commands import (
    AgreeRiskDecision,
    ProposeRiskDecision,
    RecordRiskDecisionParts,
    ReviewRiskDecision,
)
from domain.service_practice import SetPromptLadder
from domain.staff import InductionPart, Technique
from domain.staff_commands import (
    CompleteInduction,
    HoldSupervision,
    JoinStaff,
    MoveStaff,
    RecordInduction,
    RecordStaffLeaving,
    SignOffCompetency,
)
from domain.support_plan_commands import SetNextReviewDate, SetSupportHours, WriteStaffGuidance
from domain.webhook import (
    DeleteWebhook,
    PauseWebhook,
    RegisterWebhook,
    ResumeWebhook,
    RotateWebhookSecret,
)

Change = Callable[[str, str], Command]  # (the record's id, its person's id) -> a command on it


def correcting(version: int) -> Change:
    return lambda record_id, person: MarkEnteredInError(f"{record_id}/{version}")


CORRECTIONS = st.integers(1, 6).map(correcting)
LATER = date(2031, 1, 1)  # review dates after any effective time the harness uses


@dataclass(frozen=True)
class Begun:
    """What a kind of record needs to begin, given the person it is about."""

    command: Callable[[str, str], Command]  # (person id, outcome id) -> the first command
    changes: st.SearchStrategy[Change]


def _sections() -> st.SearchStrategy[Change]:
    section = st.sampled_from(list(Section))
    entries = st.sampled_from([["Cooks pasta"], ["Walks to the shop", "Reads"]])
    return st.builds(lambda s, e: lambda rid, person: RecordAssessmentSection(rid, s, e),
                     section, entries)  # fmt: skip


PARTS = st.sampled_from([
    {"risks": ["Busy road"]}, {"safeguards": ["Phone charged"]},
    {"safeguards": ["Phone charged", "Texts on arrival"]}, {"escalation": "Ring the office"},
    {"could_go_right": "Goes alone", "could_go_wrong": "Gets lost", "review_by": LATER,
     "person_views": "I want to"},
])  # fmt: skip

HISTORIES: dict[str, Begun] = {
    "Person": Begun(
        lambda person, outcome: RegisterPerson("Ruth Evans", "svc-1"),
        st.one_of(
            st.sampled_from(["svc-1", "svc-2", "svc-3"]).map(
                lambda service: lambda rid, person: MovePerson(rid, service)
            ),
            st.sampled_from(["Joan", "Sam"]).map(
                lambda name: lambda rid, person: RecordAdvocate(rid, name, "sister")
            ),
            st.booleans().map(
                lambda given: lambda rid, person: RecordConsentToShare(rid, given, "GP")
            ),
            CORRECTIONS,
        ),
    ),
    "Assessment": Begun(
        lambda person, outcome: StartAssessment(person),
        st.one_of(
            _sections(),
            st.just(
                lambda rid, person: RecordContribution(rid, ContributionMode.DIRECT, "She chose")
            ),
            st.just(lambda rid, person: CompleteAssessment(rid)),
            CORRECTIONS,
        ),
    ),
    "SupportPlan": Begun(
        lambda person, outcome: SetSupportHours(person, 6),
        st.one_of(
            st.sampled_from([8, 10, 14]).map(
                lambda h: lambda rid, person: SetSupportHours(person, h)
            ),
            st.sampled_from(["a", "b"]).map(
                lambda g: lambda rid, person: WriteStaffGuidance(person, g)
            ),
            st.sampled_from([date(2030, 6, 1), date(2030, 7, 1)]).map(
                lambda d: lambda rid, person: SetNextReviewDate(person, d)
            ),
            CORRECTIONS,
        ),
    ),
    "EvidenceNote": Begun(
        lambda person, outcome: RecordEvidenceNote(
            person, outcome, "Chopped the onions", prompt_level="gesture", confidence=6
        ),
        st.just(correcting(1)),  # a note has one fact: it can only be marked in error
    ),
    "RiskDecision": Begun(
        lambda person, outcome: ProposeRiskDecision(person, "Shops alone"),
        st.one_of(
            PARTS.map(lambda parts: lambda rid, person: RecordRiskDecisionParts(rid, **parts)),
            st.just(lambda rid, person: AgreeRiskDecision(rid)),
            st.sampled_from(list(RiskReviewOutcome)).map(
                lambda o: (
                    lambda rid, person: ReviewRiskDecision(rid, o, LATER, ["Texts on arrival"])
                )
            ),
            CORRECTIONS,
        ),
    ),
    "Restriction": Begun(
        lambda person, outcome: ImposeRestriction(
            person,
            "Card kept in the office",
            "Lost two",
            RestrictionBasis.CONSENT,
            "Only on shopping days",
            ["A purse on a chain"],
            "Mo Khan",
            date(2026, 2, 10),
        ),
        st.one_of(
            st.sampled_from([ReviewOutcome.CONTINUED, ReviewOutcome.REDUCED]).map(
                lambda o: (
                    lambda rid, person: ReviewRestriction(
                        rid, o, "Still needed", "Less", date(2026, 3, 1)
                    )
                )
            ),
            st.just(lambda rid, person: ReviewRestriction(rid, ReviewOutcome.LIFTED)),
            CORRECTIONS,
        ),
    ),
    "Incident": Begun(
        lambda person, outcome: ReportIncident(
            person, "Fell in the kitchen", "Kitchen", "First aid", HarmLevel.LOW, ["staff-ann"]
        ),
        st.one_of(
            st.just(lambda rid, person: AnalyseIncident(rid, "Yes", "Shown how", "Wet", "Quick")),
            st.sampled_from([["Mop at once"], ["Mop at once", "Mats"]]).map(
                lambda learning: lambda rid, person: IdentifyLearning(rid, learning)
            ),
            st.just(lambda rid, person: AgreePracticeChange(rid, "Mats", "Mo Khan", LATER)),
            st.just(lambda rid, person: RecordIncidentViews(rid, "I slipped", "Sore for a day")),
            st.just(lambda rid, person: CommunicateLearning(rid, "The day team")),
            st.just(lambda rid, person: CloseIncident(rid, "The guidance covers it")),
            CORRECTIONS,
        ),
    ),
    # Staff commands name the member of staff by subject: the record's id is derived from it.
    "StaffMember": Begun(
        lambda person, outcome: JoinStaff("staff-ann", "Ann Lee", Role.SUPPORT_WORKER, "svc-1"),
        st.one_of(
            st.sampled_from([("svc-1", "night"), ("svc-2", None)]).map(
                lambda where: lambda rid, person: MoveStaff("staff-ann", *where)
            ),
            st.sampled_from(list(InductionPart)).map(
                lambda part: lambda rid, person: RecordInduction("staff-ann", part, "Done", LATER)
            ),
            st.just(lambda rid, person: CompleteInduction("staff-ann", "Support, not do for")),
            st.just(
                lambda rid, person: HoldSupervision(
                    "staff-ann", "Challenged", "None", "Cooks alone", ["Observe"], LATER
                )
            ),
            st.sampled_from([LATER, date(2032, 1, 1)]).map(
                lambda due: (
                    lambda rid, person: SignOffCompetency(
                        "staff-ann", Technique.PROMPT_LADDER, "Observed at tea", due
                    )
                )
            ),
            st.just(lambda rid, person: RecordStaffLeaving("staff-ann")),
            CORRECTIONS,
        ),
    ),
    "ServicePractice": Begun(
        lambda person, outcome: SetPromptLadder("svc-9", ["alone", "a reminder"]),
        st.one_of(
            st.sampled_from([["alone", "shown how"], ["alone", "a reminder", "side by side"]]).map(
                lambda rungs: lambda rid, person: SetPromptLadder("svc-9", rungs)
            ),
            CORRECTIONS,
        ),
    ),
    "Webhook": Begun(
        lambda person, outcome: RegisterWebhook("https://example.org/hook", "c-feed"),
        st.one_of(
            st.sampled_from([PauseWebhook, ResumeWebhook, RotateWebhookSecret, DeleteWebhook]).map(
                lambda command: lambda rid, person: command(rid)
            ),
            CORRECTIONS,
        ),
    ),
    "ProviderPolicy": Begun(
        lambda person, outcome: SetRestrictionReviewLimit(60),
        st.one_of(
            st.sampled_from([30, 45, 90]).map(
                lambda days: lambda rid, person: SetRestrictionReviewLimit(days)
            ),
            st.sampled_from(["TRAVEL_TRAINING", "SOCIAL_STORIES"]).map(
                lambda key: lambda rid, person: AddTechnique(key, "Taught step by step")
            ),
            CORRECTIONS,
        ),
    ),
}
