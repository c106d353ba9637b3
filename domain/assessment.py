"""A strengths-led assessment: what the person can do, wants and has, in their own words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.envelope import Envelope
from domain.errors import Rules
from domain.publishing import PERSON_ID, Field, PublishedEvent, value_of
from domain.record import Record, presume


class Section(StrEnum):
    STRENGTHS = "strengths"
    INDEPENDENT_SKILLS = "independent_skills"
    PREFERRED_OUTCOMES = "preferred_outcomes"
    INFORMAL_SUPPORT = "informal_support"
    COMMUNICATION_PREFERENCES = "communication_preferences"


class ContributionMode(StrEnum):
    DIRECT = "direct"
    THROUGH_ADVOCATE = "through_advocate"
    NOT_POSSIBLE = "not_possible"


@dataclass(frozen=True)
class Contribution:
    """How the person took part. `spoken_for_by` names the advocate or whoever spoke for them."""

    mode: str
    summary: str
    spoken_for_by: str | None
    reason_not_possible: str | None


class Assessment(Record):
    # v2 keeps when the record began and the latest effective time folded in (domain.timeline)
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        state["began_at"] = state["latest_effective_at"] = None  # replayed in full when loaded

    @event("Started")
    def __init__(self, envelope: Envelope, person_id: str, id: UUID | None = None) -> None:
        self.tenant_id = envelope.tenant_id
        self.person_id = person_id
        self.sections: dict[str, list[str]] = {}
        self.contribution: Contribution | None = None
        self.completed = False

    @property
    def strengths(self) -> list[str]:
        return self.sections.get(Section.STRENGTHS, [])

    def record_section(self, envelope: Envelope, section: Section, entries: list[str]) -> None:
        cleaned = [entry.strip() for entry in entries if entry.strip()]
        rules = self._open_rules(envelope)
        rules.check(
            bool(cleaned),
            f"assessment.section.{section.value}.empty",
            "entries",
            "record at least one entry; an empty section says nothing",
        )
        rules.check(
            len(set(cleaned)) == len(cleaned),
            f"assessment.section.{section.value}.duplicate",
            "entries",
            "each entry must be distinct",
        )
        rules.enforce()
        self._section_recorded(envelope, section.value, cleaned)

    @event("SectionRecorded")
    def _section_recorded(self, envelope: Envelope, section: str, entries: list[str]) -> None:
        presume(not self.completed, "the assessment was complete")
        self.sections[section] = entries

    def record_contribution(self, envelope: Envelope, contribution: Contribution) -> None:
        rules = self._open_rules(envelope)
        mode = contribution.mode
        rules.check(
            mode in set(ContributionMode),
            "assessment.contribution.mode",
            "mode",
            "mode must be direct, through_advocate or not_possible",
        )
        rules.require_text(
            contribution.summary,
            "assessment.contribution.summary_required",
            "summary",
            "what the person (or who spoke for them) contributed",
        )
        if mode in (ContributionMode.THROUGH_ADVOCATE, ContributionMode.NOT_POSSIBLE):
            rules.require_text(
                contribution.spoken_for_by,
                "assessment.contribution.spoken_for_by_required",
                "spokenForBy",
                "who spoke for the person",
            )
        if mode == ContributionMode.NOT_POSSIBLE:
            rules.require_text(
                contribution.reason_not_possible,
                "assessment.contribution.reason_required",
                "reasonNotPossible",
                "why the person could not contribute directly",
            )
        rules.enforce()
        self._contribution_recorded(envelope, contribution)

    @event("ContributionRecorded")
    def _contribution_recorded(self, envelope: Envelope, contribution: Contribution) -> None:
        presume(not self.completed, "the assessment was complete")
        self.contribution = contribution

    def complete(self, envelope: Envelope) -> None:
        rules = self._open_rules(envelope)
        for section in Section:
            rules.check(
                bool(self.sections.get(section.value)),
                f"assessment.required.{section.value}",
                section.value,
                f"the {section.value.replace('_', ' ')} section is missing",
            )
        rules.check(
            self.contribution is not None,
            "assessment.contribution",
            "contribution",
            "record the person's own contribution, or why it was not possible and who spoke "
            "for them",
        )
        rules.enforce()
        self._completed(envelope)

    @event("Completed")
    def _completed(self, envelope: Envelope) -> None:
        missing = [section.value for section in Section if not self.sections.get(section.value)]
        presume(not missing and self.contribution is not None,
                f"completed without {', '.join(missing) or 'the contribution'}")  # fmt: skip
        self.completed = True

    def _open_rules(self, envelope: Envelope) -> Rules:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(
            not self.completed,
            "assessment.completed",
            "assessmentId",
            "the assessment is complete; start a new assessment to reassess",
        )
        return rules


# -- published payloads (domain.publishing) ---------------------------------------------------

CONTRIBUTION = {"mode": "mode", "summary": "summary", "spoken_for_by": "spokenForBy",
                "reason_not_possible": "reasonNotPossible"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("Assessment.Started", 1, "A strengths-led assessment began", (PERSON_ID,)),
    PublishedEvent("Assessment.SectionRecorded", 1, "One section of the assessment recorded "
                   "(again: the latest entries replace earlier ones)", (
        Field("section", "strengths, independent_skills, preferred_outcomes, informal_support "
              "or communication_preferences", "section"),
        Field("entries", "The section's entries, in the person's words", "entries"))),
    PublishedEvent("Assessment.ContributionRecorded", 1, "How the person took part", (
        Field("contribution", "mode (direct, through_advocate or not_possible), summary, "
              "spokenForBy and reasonNotPossible (null when not needed)",
              value_of("contribution", CONTRIBUTION)),)),
    PublishedEvent("Assessment.Completed", 1, "The assessment was completed; it is now closed"),
)  # fmt: skip
