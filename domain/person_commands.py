"""Commands on the record of a person supported, and who may issue them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from domain.commands import (
    STAFF,
    Change,
    Command,
    Creation,
    Found,
    Key,
    Name,
    NewIds,
    Records,
    Registration,
    Seal,
    Text,
)
from domain.person import PUBLISHED, Advocate, ConsentToShare, Person, SharingConsent
from domain.record_type import ITSELF, RecordType


@dataclass(frozen=True)
class RegisterPerson(Command):
    """Register a person supported by a service."""

    name: Name
    service_id: Key
    date_of_birth: date | None = None
    team_id: Key | None = None


@dataclass(frozen=True)
class PersonCommand(Command):
    person_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"person_id"})


@dataclass(frozen=True)
class MovePerson(PersonCommand):
    """Move a person to another service or team (needs a reason)."""

    service_id: Key
    team_id: Key | None = None


@dataclass(frozen=True)
class RecordAdvocate(PersonCommand):
    """Record who advocates for the person."""

    name: Name
    relationship: Name
    contact: Name | None = None

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"advocate": Advocate(self.name, self.relationship, self.contact)}


@dataclass(frozen=True)
class RecordConsentToShare(PersonCommand):
    """Record whether the person consents to information sharing, and what it covers."""

    given: bool
    scope: Text


@dataclass(frozen=True)
class GiveSharingConsent(PersonCommand):
    """Record the person's consent to share their records with a recipient (an integration
    client's id, or an organisation's, as its tokens carry it) for a purpose, from a day (default:
    today) until a day (default: until withdrawn). Integration clients reach a person's records
    only while a consent to share with them is in force."""

    recipient: Name
    purpose: Text
    valid_from: date | None = None
    valid_until: date | None = None

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"consent_id": ids.part("consent"), "recipient": self.recipient,
                "purpose": self.purpose, "valid_from": self.valid_from,
                "valid_until": self.valid_until}  # fmt: skip


@dataclass(frozen=True)
class WithdrawSharingConsent(PersonCommand):
    """Record that the person withdrew a consent to share, from its effective time on."""

    consent_id: Key


def register(records: Records, command: RegisterPerson, seal: Seal, ids: NewIds) -> Person:
    return Person.register(
        seal(command.service_id),
        id=ids.record(),
        name=command.name,
        date_of_birth=command.date_of_birth,
        service_id=command.service_id,
        team_id=command.team_id,
    )


def find_person(records: Records, command: PersonCommand) -> Found[Person]:
    person = records.owned(Person, command.person_id, "personId")
    return Found(person, person.service_id)


def find_person_to_move(records: Records, command: MovePerson) -> Found[Person]:
    person = records.owned(Person, command.person_id, "personId")
    return Found(person, person.service_id, also_reaches=(command.service_id,))


COMMANDS: list[Registration] = [
    Creation(RegisterPerson, STAFF, register),
    Change(MovePerson, STAFF, find_person_to_move, Person.move),
    Change(RecordAdvocate, STAFF, find_person, Person.record_advocate),
    Change(RecordConsentToShare, STAFF, find_person, Person.record_consent_to_share),
    Change(GiveSharingConsent, STAFF, find_person, Person.give_sharing_consent),
    Change(WithdrawSharingConsent, STAFF, find_person, Person.withdraw_sharing_consent),
]


RECORD_TYPE = RecordType(
    Person, COMMANDS, PUBLISHED, person=ITSELF,
    value_types={"advocate": Advocate, "consent_to_share": ConsentToShare,
                 "sharing_consent": SharingConsent},
    # Every other record names the person, and nothing here can tell which: a registration
    # stands, and a wrong detail is corrected by a later fact.
    creation_correctable=False,
)  # fmt: skip
