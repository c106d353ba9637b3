"""Restrictions of a person's rights or freedom: what, why, on what basis, why it is
proportionate, what less restrictive options were considered, who agreed, and by when it must
be reviewed.

DOMAIN: the Care Act asks that any restriction be the minimum necessary, so every restriction is
time-limited. Its review-by date is mandatory and no later than the provider's limit (three
months unless the provider sets another), and only a review moves it: continued (with a fresh
justification), reduced (saying what changed) or lifted (by a manager). A restriction past its
review-by date is overdue until it is reviewed; it is never silently extended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.envelope import Envelope
from domain.errors import Rules
from domain.publishing import PERSON_ID, Field, PublishedEvent, value_of
from domain.record import Record, presume

IN_FORCE, LIFTED = "in_force", "lifted"


class RestrictionBasis(StrEnum):
    CONSENT = "consent"
    BEST_INTERESTS = "best_interests"  # a best-interests decision under the Mental Capacity Act
    DEPRIVATION_OF_LIBERTY = "deprivation_of_liberty"  # a DoLS (or LPS) authorisation
    COURT_ORDER = "court_order"
    OTHER = "other"


class ReviewOutcome(StrEnum):
    CONTINUED = "continued"
    REDUCED = "reduced"
    LIFTED = "lifted"


@dataclass(frozen=True)
class RestrictionTerms:
    what: str
    why: str
    basis: RestrictionBasis
    basis_detail: str | None
    proportionality: str
    less_restrictive_options: list[str]
    agreed_by: str
    review_by: date
    risk_decision_id: str | None = None
    incident_id: str | None = None

    def check(self, rules: Rules, effective: datetime, limit: timedelta) -> None:
        for name, label in (("what", "what is restricted"), ("why", "why"),
                            ("proportionality", "why it is proportionate"),
                            ("agreed_by", "who agreed")):  # fmt: skip
            rules.require_text(getattr(self, name), f"restriction.{name}_required", name, label)
        rules.check(
            self.basis != RestrictionBasis.OTHER or bool((self.basis_detail or "").strip()),
            "restriction.basis_detail_required",
            "basisDetail",
            "say what the basis is when it is 'other'",
        )
        rules.check(
            any(option.strip() for option in self.less_restrictive_options),
            "restriction.less_restrictive_options_required",
            "lessRestrictiveOptions",
            "record the less restrictive options that were considered",
        )
        check_review_by(rules, self.review_by, effective, limit)


def check_review_by(rules: Rules, review_by: date, effective: datetime, limit: timedelta) -> None:
    rules.check(
        review_by > effective.date(),
        "restriction.review_by_not_future",
        "reviewBy",
        "the review-by date must fall after the date this takes effect",
    )
    rules.check(
        review_by <= (effective + limit).date(),
        "restriction.review_by_beyond_limit",
        "reviewBy",
        f"a restriction is reviewed within {limit.days} days (the provider's limit)",
    )


class Restriction(Record):
    @event("Imposed")
    def __init__(
        self, envelope: Envelope, person_id: str, terms: RestrictionTerms, id: UUID | None = None
    ) -> None:
        self.tenant_id = envelope.tenant_id
        self.person_id = person_id
        self.terms = terms
        self.review_by = terms.review_by
        self.status = IN_FORCE
        self.imposed_at = envelope.effective_at
        self.last_reviewed_at: datetime | None = None
        self.last_outcome: str | None = None
        self.lifted_at: datetime | None = None

    def review(
        self,
        envelope: Envelope,
        outcome: ReviewOutcome,
        justification: str | None,
        what_changed: str | None,
        next_review_by: date | None,
        limit: timedelta,
    ) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(self.status == IN_FORCE, "restriction.lifted", "restrictionId",
                    "the restriction was lifted")  # fmt: skip
        since = self.last_reviewed_at or self.imposed_at
        rules.check(
            envelope.effective_at >= since,
            "restriction.review_before_last",
            "effectiveAt",
            f"a review cannot take effect before the last one ({since.isoformat()})",
        )
        if outcome == ReviewOutcome.CONTINUED:
            rules.require_text(justification, "restriction.review.justification_required",
                               "justification", "a fresh justification")  # fmt: skip
        if outcome == ReviewOutcome.REDUCED:
            rules.require_text(what_changed, "restriction.review.what_changed_required",
                               "whatChanged", "what changed")  # fmt: skip
        if outcome in (ReviewOutcome.REDUCED, ReviewOutcome.LIFTED):
            rules.require_text(envelope.reason, "restriction.review.reason_required", "reason",
                               f"why it is {ReviewOutcome(outcome).value}")  # fmt: skip
        if outcome != ReviewOutcome.LIFTED:
            rules.check(next_review_by is not None, "restriction.review.next_review_required",
                        "nextReviewBy", "a restriction kept in force needs its next review-by "
                        "date")  # fmt: skip
            if next_review_by is not None:
                check_review_by(rules, next_review_by, envelope.effective_at, limit)
        rules.enforce()
        kept_until = next_review_by if outcome != ReviewOutcome.LIFTED else None
        self._reviewed(envelope, ReviewOutcome(outcome).value, (justification or "").strip(),
                       (what_changed or "").strip(), kept_until, self.review_by)  # fmt: skip

    @event("Reviewed")
    def _reviewed(
        self,
        envelope: Envelope,
        outcome: str,
        justification: str,
        what_changed: str,
        next_review_by: date | None,
        was_due_by: date,
    ) -> None:
        presume(self.status == IN_FORCE, "a lifted restriction is not reviewed")
        self.last_reviewed_at = envelope.effective_at
        self.last_outcome = outcome
        if outcome == ReviewOutcome.LIFTED:
            self.status = LIFTED
            self.lifted_at = envelope.effective_at
        else:
            self.review_by = next_review_by  # type: ignore[assignment]


# -- published payloads (domain.publishing) ---------------------------------------------------

RESTRICTION = {"what": "what", "why": "why", "basis": "basis", "basis_detail": "basisDetail",
               "proportionality": "proportionality",
               "less_restrictive_options": "lessRestrictiveOptions", "agreed_by": "agreedBy",
               "review_by": "reviewBy", "risk_decision_id": "riskDecisionId",
               "incident_id": "incidentId"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("Restriction.Imposed", 1, "A restriction of the person's rights or freedom "
                   "was imposed", (
        PERSON_ID,
        Field("terms", "what, why, basis (consent, best_interests, deprivation_of_liberty, "
              "court_order or other), basisDetail, proportionality, lessRestrictiveOptions, "
              "agreedBy, reviewBy, riskDecisionId, incidentId", value_of("terms", RESTRICTION)))),
    PublishedEvent("Restriction.Reviewed", 1, "The restriction was reviewed", (
        Field("outcome", "continued, reduced or lifted", "outcome"),
        Field("justification", "The fresh justification (continued), or empty",
              "justification"),
        Field("whatChanged", "What changed (reduced), or empty", "what_changed"),
        Field("nextReviewBy", "The next review-by date, or null once lifted", "next_review_by"),
        Field("wasDueBy", "The review-by date this review answered", "was_due_by"))),
)  # fmt: skip
