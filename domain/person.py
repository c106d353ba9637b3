"""A person supported: who they are, where they are supported, who speaks up for them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.envelope import EARLIEST_EFFECTIVE_AT, Envelope
from domain.errors import Rules
from domain.publishing import SERVICE_ID, TEAM_ID, Field, PublishedEvent, value_of
from domain.record import Record


@dataclass(frozen=True)
class Advocate:
    name: str
    relationship: str
    contact: str | None


@dataclass(frozen=True)
class ConsentToShare:
    given: bool
    scope: str
    recorded_at: str


@dataclass(frozen=True)
class SharingConsent:
    """The person's consent to share their records with one recipient (an integration client,
    or an organisation, by the id its tokens carry), for a purpose, over a span of days."""

    consent_id: str
    recipient: str
    purpose: str
    valid_from: date
    valid_until: date | None
    withdrawn_at: str | None = None  # when it was withdrawn (its effective time, ISO)


class Person(Record):
    # v2 keeps when the record began and the latest effective time folded in (domain.timeline)
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        state["began_at"] = state["latest_effective_at"] = None  # replayed in full when loaded

    @event("Registered")
    def __init__(
        self,
        envelope: Envelope,
        name: str,
        date_of_birth: date | None,
        service_id: str,
        team_id: str | None,
        id: UUID | None = None,  # the library takes a caller-chosen record id as `id`
    ) -> None:
        self.tenant_id = envelope.tenant_id
        self.name = name
        self.date_of_birth = date_of_birth
        self.service_id = service_id
        self.team_id = team_id
        self.advocate: Advocate | None = None
        self.consent_to_share: ConsentToShare | None = None
        self.sharing_consents: dict[str, SharingConsent] = {}

    class Moved(Aggregate.Event):
        """Moved to another service or team; says where from, so history needs no lookup."""

        class_version = 2
        envelope: Envelope
        service_id: str
        team_id: str | None
        from_service_id: str | None
        from_team_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["from_service_id"] = state["from_team_id"] = None  # not recorded before v2

    @classmethod
    def register(
        cls,
        envelope: Envelope,
        *,
        id: UUID | None = None,
        name: str,
        date_of_birth: date | None,
        service_id: str,
        team_id: str | None,
    ) -> Person:
        rules = Rules()
        rules.require_text(name, "person.name.required", "name", "the person's name")
        rules.require_text(service_id, "person.service.required", "serviceId", "a service")
        if date_of_birth is not None:
            rules.check(
                date_of_birth <= envelope.effective_at.date(),
                "person.date_of_birth.future",
                "dateOfBirth",
                "the date of birth cannot be after the registration takes effect",
            )
            rules.check(
                date_of_birth >= EARLIEST_EFFECTIVE_AT.date(),
                "person.date_of_birth.too_early",
                "dateOfBirth",
                f"a date of birth from {EARLIEST_EFFECTIVE_AT.year} on (check the year)",
            )
        rules.enforce()
        return cls(
            envelope, name.strip(), date_of_birth, service_id.strip(), _strip(team_id), id=id
        )

    def move(self, envelope: Envelope, *, service_id: str, team_id: str | None) -> None:
        service_id, team_id = service_id.strip(), _strip(team_id)
        rules = Rules()
        self.check_began(rules, envelope)
        rules.require_text(service_id, "person.service.required", "serviceId", "a service")
        rules.check(
            (service_id, team_id) != (self.service_id, self.team_id),
            "person.move.no_change",
            "serviceId",
            "the person is already supported by that service and team",
        )
        rules.require_text(envelope.reason, "person.move.reason_required", "reason", "a reason")
        rules.enforce()
        self._moved(envelope, service_id, team_id, self.service_id, self.team_id)

    @event(Moved)
    def _moved(
        self,
        envelope: Envelope,
        service_id: str,
        team_id: str | None,
        from_service_id: str | None,
        from_team_id: str | None,
    ) -> None:
        self.service_id = service_id
        self.team_id = team_id

    def record_advocate(self, envelope: Envelope, advocate: Advocate) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.require_text(advocate.name, "person.advocate.name_required", "name", "a name")
        rules.require_text(
            advocate.relationship,
            "person.advocate.relationship_required",
            "relationship",
            "the advocate's relationship to the person",
        )
        rules.enforce()
        self._advocate_recorded(
            envelope,
            Advocate(
                advocate.name.strip(), advocate.relationship.strip(), _strip(advocate.contact)
            ),
        )

    @event("AdvocateRecorded")
    def _advocate_recorded(self, envelope: Envelope, advocate: Advocate) -> None:
        self.advocate = advocate

    def record_consent_to_share(self, envelope: Envelope, *, given: bool, scope: str) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.require_text(scope, "person.consent.scope_required", "scope", "what may be shared")
        rules.enforce()
        self._consent_recorded(envelope, given, scope.strip())

    @event("ConsentToShareRecorded")
    def _consent_recorded(self, envelope: Envelope, given: bool, scope: str) -> None:
        self.consent_to_share = ConsentToShare(given, scope, envelope.effective_at.isoformat())

    def give_sharing_consent(
        self, envelope: Envelope, *, consent_id: str, recipient: str, purpose: str,
        valid_from: date | None, valid_until: date | None,
    ) -> None:  # fmt: skip
        rules = Rules()
        self.check_began(rules, envelope)
        rules.require_text(recipient, "person.sharing.recipient_required", "recipient",
                           "whom the person consents to share with")  # fmt: skip
        rules.require_text(purpose, "person.sharing.purpose_required", "purpose",
                           "what the sharing is for")  # fmt: skip
        starts = valid_from or envelope.effective_at.date()
        rules.check(valid_until is None or valid_until >= starts, "person.sharing.ends_before",
                    "validUntil", "the consent must not end before it begins")  # fmt: skip
        rules.enforce()
        consent = SharingConsent(consent_id, recipient.strip(), purpose.strip(), starts,
                                 valid_until)  # fmt: skip
        self._sharing_consented(envelope, consent)

    @event("SharingConsentGiven")
    def _sharing_consented(self, envelope: Envelope, consent: SharingConsent) -> None:
        self.sharing_consents = {**self.sharing_consents, consent.consent_id: consent}

    def withdraw_sharing_consent(self, envelope: Envelope, *, consent_id: str) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        consent = self.sharing_consents.get(consent_id)
        rules.check(consent is not None, "person.sharing.unknown", "consentId",
                    "the person gave no consent with this id")  # fmt: skip
        rules.check(consent is None or consent.withdrawn_at is None,
                    "person.sharing.withdrawn_already", "consentId",
                    "the consent was withdrawn already")  # fmt: skip
        rules.enforce()
        self._sharing_withdrawn(envelope, consent_id)

    @event("SharingConsentWithdrawn")
    def _sharing_withdrawn(self, envelope: Envelope, consent_id: str) -> None:
        consent = self.sharing_consents[consent_id]
        withdrawn = replace(consent, withdrawn_at=envelope.effective_at.isoformat())
        self.sharing_consents = {**self.sharing_consents, consent_id: withdrawn}


def _strip(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


# -- published payloads (domain.publishing) ---------------------------------------------------

ADVOCATE = {"name": "name", "relationship": "relationship", "contact": "contact"}
SHARING = {"consent_id": "consentId", "recipient": "recipient", "purpose": "purpose",
           "valid_from": "validFrom", "valid_until": "validUntil"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("Person.Registered", 1, "A person began to be supported by a service", (
        Field("name", "The person's name", "name"),
        Field("dateOfBirth", "Date of birth (YYYY-MM-DD), or null if not given", "date_of_birth"),
        SERVICE_ID, TEAM_ID)),
    PublishedEvent("Person.Moved", 1, "The person moved to another service or team", (
        SERVICE_ID, TEAM_ID,
        Field("fromServiceId", "The service before the move; null if recorded before moves "
              "said where from", "from_service_id"),
        Field("fromTeamId", "The team before the move, or null (also when recorded before "
              "moves said where from)", "from_team_id"))),
    PublishedEvent("Person.AdvocateRecorded", 1, "Who speaks up for the person", (
        Field("advocate", "The advocate: name, relationship (to the person) and contact (or "
              "null)", value_of("advocate", ADVOCATE)),)),
    PublishedEvent("Person.ConsentToShareRecorded", 1, "The person's consent to share", (
        Field("given", "Whether the person consents", "given"),
        Field("scope", "What may be shared, and with whom", "scope"))),
    PublishedEvent("Person.SharingConsentGiven", 1, "The person consented to share their "
                   "records with a recipient", (
        Field("consent", "The consent: consentId, recipient (an integration client's or an "
              "organisation's id), purpose, validFrom, validUntil (or null)",
              value_of("consent", SHARING)),)),
    PublishedEvent("Person.SharingConsentWithdrawn", 1, "The person withdrew a consent to "
                   "share, from when it took effect", (
        Field("consentId", "The consent withdrawn", "consent_id"),)),
)  # fmt: skip
