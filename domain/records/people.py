"""Commands on the record of a person supported."""

from __future__ import annotations

from datetime import date

from domain.envelope import CommandContext
from domain.permissions import authorise
from domain.person import Advocate, Person
from domain.records.base import RecordsApplication, Written


class PeopleCommands(RecordsApplication):
    # -- people -----------------------------------------------------------------------------

    def register_person(
        self,
        context: CommandContext,
        *,
        name: str,
        date_of_birth: date | None,
        service_id: str,
        team_id: str | None,
    ) -> Written:
        authorise(context.actor, "register_person")
        envelope = self._seal(context, service_id)
        person = Person.register(
            envelope, name=name, date_of_birth=date_of_birth, service_id=service_id, team_id=team_id
        )
        return self._save(person, expected_version=None)

    def move_person(
        self,
        context: CommandContext,
        person_id: str,
        expected_version: int | None,
        *,
        service_id: str,
        team_id: str | None,
    ) -> Written:
        return self._change(
            context,
            "move_person",
            Person,
            person_id,
            expected_version,
            lambda p, e: p.move(e, service_id=service_id, team_id=team_id),
        )

    def record_advocate(
        self,
        context: CommandContext,
        person_id: str,
        expected_version: int | None,
        advocate: Advocate,
    ) -> Written:
        return self._change(
            context,
            "record_advocate",
            Person,
            person_id,
            expected_version,
            lambda p, e: p.record_advocate(e, advocate),
        )

    def record_consent_to_share(
        self,
        context: CommandContext,
        person_id: str,
        expected_version: int | None,
        *,
        given: bool,
        scope: str,
    ) -> Written:
        return self._change(
            context,
            "record_consent_to_share",
            Person,
            person_id,
            expected_version,
            lambda p, e: p.record_consent_to_share(e, given=given, scope=scope),
        )
