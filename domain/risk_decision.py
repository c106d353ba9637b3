"""Positive risk-taking decisions: an activity a person wants to do (travelling to the shop
alone), what could go right as well as wrong, the safeguards agreed, how to escalate, when to
review, and the person's views (and their advocate's, where they have one).

DOMAIN: agreeing a decision is refused unless every part is there and every restriction it
relies on has been confirmed proportionate and is not overdue for review. Each review continues
the decision, or relaxes or tightens its safeguards, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.envelope import Envelope
from domain.errors import Rules
from domain.publishing import PERSON_ID, Field, PublishedEvent, items_of, value_of
from domain.record import Record, presume

DRAFT, AGREED = "draft", "agreed"


class RiskReviewOutcome(StrEnum):
    CONTINUE = "continue"
    RELAX_SAFEGUARDS = "relax_safeguards"
    TIGHTEN_SAFEGUARDS = "tighten_safeguards"


@dataclass(frozen=True)
class RiskParts:
    """What a decision records; None (or empty) until given."""

    risks: list[str] | None = None
    could_go_right: str | None = None
    could_go_wrong: str | None = None
    safeguards: list[str] | None = None
    escalation: str | None = None
    review_by: date | None = None
    person_views: str | None = None
    advocate_views: str | None = None

    def merged(self, given: RiskParts) -> RiskParts:
        return replace(self, **{f.name: getattr(given, f.name) for f in fields(given)
                                if getattr(given, f.name) is not None})  # fmt: skip

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}  # fmt: skip


REQUIRED = {
    "risks": "the risks identified",
    "could_go_right": "what could go right",
    "could_go_wrong": "what could go wrong",
    "safeguards": "the agreed safeguards",
    "escalation": "the escalation procedure",
    "review_by": "when it will be reviewed",
    "person_views": "the person's views",
}


@dataclass(frozen=True)
class LinkedRestriction:
    """What agreeing needs to know of a restriction the decision relies on."""

    restriction_id: str
    person_id: str
    in_force: bool
    proportionality: str
    review_by: date


class RiskDecision(Record):
    @event("Proposed")
    def __init__(
        self, envelope: Envelope, person_id: str, activity: str, parts: RiskParts,
        id: UUID | None = None,
    ) -> None:  # fmt: skip
        self.tenant_id = envelope.tenant_id
        self.person_id = person_id
        self.activity = activity
        self.parts = parts
        self.status = DRAFT
        self.restriction_ids: list[str] = []
        self.agreed_by: str | None = None
        self.agreed_at: datetime | None = None
        self.last_review_outcome: str | None = None
        self.last_reviewed_at: datetime | None = None

    def record_parts(self, envelope: Envelope, parts: RiskParts) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(self.status == DRAFT, "risk.agreed", "riskDecisionId",
                    "the decision is agreed: review it to change its safeguards")  # fmt: skip
        rules.check(bool(parts.given()), "risk.parts.no_change", "riskDecisionId",
                    "give at least one part")  # fmt: skip
        rules.enforce()
        self._parts_recorded(envelope, parts.given())

    def rely_on(self, envelope: Envelope, restriction_id: str) -> None:
        """Records that a restriction imposed for this decision is one it relies on."""
        rules = Rules()
        self.check_began(rules, envelope)
        linked = restriction_id in self.restriction_ids
        rules.check(not linked, "risk.restriction.already_linked", "riskDecisionId",
                    "the decision already relies on this restriction")  # fmt: skip
        rules.enforce()
        self._restriction_linked(envelope, restriction_id)

    @event("RestrictionLinked")
    def _restriction_linked(self, envelope: Envelope, restriction_id: str) -> None:
        self.restriction_ids = [*self.restriction_ids, restriction_id]

    @event("PartsRecorded")
    def _parts_recorded(self, envelope: Envelope, parts: dict[str, Any]) -> None:
        self.parts = self.parts.merged(RiskParts(**parts))

    def agree(
        self, envelope: Envelope, has_advocate: bool, restrictions: list[LinkedRestriction]
    ) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(self.status == DRAFT, "risk.already_agreed", "riskDecisionId",
                    "the decision is agreed already")  # fmt: skip
        for name, label in REQUIRED.items():
            value = getattr(self.parts, name)
            if isinstance(value, list):
                present = any(item.strip() for item in value)
            else:
                present = bool(value.strip()) if isinstance(value, str) else value is not None
            rules.check(present, f"risk.required.{name}", _camel(name), f"record {label}")
        if has_advocate:
            rules.require_text(self.parts.advocate_views, "risk.required.advocate_views",
                               "advocateViews", "the advocate's views")  # fmt: skip
        review_by = self.parts.review_by
        rules.check(review_by is None or review_by > envelope.effective_at.date(),
                    "risk.review_by_not_future", "reviewBy",
                    "the review must fall after the decision is agreed")  # fmt: skip
        today = envelope.effective_at.date()
        for linked in restrictions:
            justified = bool(linked.proportionality.strip()) and linked.review_by >= today
            confirmed = linked.person_id == self.person_id and linked.in_force and justified
            rules.check(
                confirmed,
                "risk.restriction.not_confirmed",
                "restrictionIds",
                f"restriction {linked.restriction_id} is not confirmed proportionate and in "
                "date for review: it must be this person's, in force, justified as "
                "proportionate and not overdue",
            )
        rules.enforce()
        self._agreed(envelope, [linked.restriction_id for linked in restrictions])

    @event("Agreed")
    def _agreed(self, envelope: Envelope, restriction_ids: list[str]) -> None:
        presume(self.status == DRAFT, "the decision was agreed already")
        self.status = AGREED
        # Confirmed at agreement; before decisions kept their links, the caller listed them.
        self.restriction_ids = list(dict.fromkeys([*self.restriction_ids, *restriction_ids]))
        self.agreed_by = envelope.actor.name
        self.agreed_at = envelope.effective_at

    def review(
        self,
        envelope: Envelope,
        outcome: RiskReviewOutcome,
        safeguards: list[str] | None,
        next_review_by: date,
    ) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(self.status == AGREED, "risk.not_agreed", "riskDecisionId",
                    "only an agreed decision is reviewed")  # fmt: skip
        rules.require_text(envelope.reason, "risk.review.reason_required", "reason",
                           "the reason for the review's outcome")  # fmt: skip
        changes = outcome != RiskReviewOutcome.CONTINUE
        rules.check(
            not changes or (bool(safeguards) and safeguards != self.parts.safeguards),
            "risk.review.safeguards_required",
            "safeguards",
            "relaxing or tightening gives the safeguards as they now stand",
        )
        rules.check(
            changes or not safeguards or safeguards == self.parts.safeguards,
            "risk.review.safeguards_changed_on_continue",
            "safeguards",
            "continuing keeps the safeguards: relax or tighten them to change them",
        )
        rules.check(next_review_by > envelope.effective_at.date(), "risk.review_by_not_future",
                    "nextReviewBy", "the next review must fall after this one")  # fmt: skip
        rules.enforce()
        kept = list(safeguards) if changes and safeguards else list(self.parts.safeguards or [])
        self._reviewed(envelope, RiskReviewOutcome(outcome).value, kept, next_review_by)

    @event("Reviewed")
    def _reviewed(
        self, envelope: Envelope, outcome: str, safeguards: list[str], next_review_by: date
    ) -> None:
        presume(self.status == AGREED, "only an agreed decision is reviewed")
        self.parts = replace(self.parts, safeguards=list(safeguards), review_by=next_review_by)
        self.last_review_outcome = outcome
        self.last_reviewed_at = envelope.effective_at


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


# -- published payloads (domain.publishing) ---------------------------------------------------

RISK_PARTS = {"risks": "risks", "could_go_right": "couldGoRight",
              "could_go_wrong": "couldGoWrong", "safeguards": "safeguards",
              "escalation": "escalation", "review_by": "reviewBy",
              "person_views": "personViews", "advocate_views": "advocateViews"}  # fmt: skip
RISK_PARTS_TEXT = (
    "risks (a list), couldGoRight, couldGoWrong, safeguards (a list), escalation, "
    "reviewBy (YYYY-MM-DD), personViews, advocateViews; null where not given"
)

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("RiskDecision.Proposed", 1, "A positive risk-taking decision was proposed", (
        PERSON_ID, Field("activity", "The activity the person wants to do", "activity"),
        Field("parts", RISK_PARTS_TEXT, value_of("parts", RISK_PARTS)))),
    PublishedEvent("RiskDecision.PartsRecorded", 1, "Parts of a decision recorded (replacing "
                   "earlier ones)", (
        Field("parts", "The parts given: any of " + RISK_PARTS_TEXT.split(";")[0],
              items_of("parts", RISK_PARTS, shape=RiskParts)),)),
    PublishedEvent("RiskDecision.RestrictionLinked", 1, "A restriction was imposed for this "
                   "decision: the decision relies on it", (
        Field("restrictionId", "The restriction", "restriction_id"),)),
    PublishedEvent("RiskDecision.Agreed", 1, "The decision was agreed by a manager", (
        Field("restrictionIds", "The restrictions it relies on, each confirmed proportionate "
              "and in date for review", "restriction_ids"),)),
    PublishedEvent("RiskDecision.Reviewed", 1, "The decision was reviewed", (
        Field("outcome", "continue, relax_safeguards or tighten_safeguards", "outcome"),
        Field("safeguards", "The safeguards as they now stand", "safeguards"),
        Field("nextReviewBy", "The next review (YYYY-MM-DD)", "next_review_by"))),
)  # fmt: skip
