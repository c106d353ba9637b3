"""Commands are data: who may issue each one is registered with it, and access fails closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from domain.catalogue import REGISTRY
from domain.commands import STAFF, Change, Command, Creation, NewIds, Registry
from domain.envelope import Actor, Role
from domain.errors import Forbidden
from domain.person import Person
from domain.person_commands import MovePerson, RegisterPerson, find_person
from domain.provider_policy import AddTechnique, SetGovernanceSettings, SetRestrictionReviewLimit
from domain.service_practice import SetPromptLadder
from domain.staff_commands import JoinStaff, MoveStaff, RecordStaffLeaving
from domain.support_plan_commands import AgreeOutcome, AgreeSupportPlan
from domain.webhook import COMMANDS as WEBHOOK_REGISTRATIONS
from tests.unit import given

STAFF_ROLES = [Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER, Role.MANAGER]
READERS = [Role.INSPECTOR, Role.COMMISSIONER, Role.INTEGRATION_CLIENT]
EVERY_COMMAND = [registration.command for registration in REGISTRY]
WEBHOOK_COMMANDS = [registration.command for registration in WEBHOOK_REGISTRATIONS]


def test_every_command_is_registered_with_at_least_one_role() -> None:
    assert len(EVERY_COMMAND) == 58
    assert all(registration.roles for registration in REGISTRY)


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("command", [RegisterPerson, MovePerson, AgreeOutcome])
def test_any_member_of_staff_may_record_and_plan(role: Role, command: type[Command]) -> None:
    registration = REGISTRY.authorise(given.actor(role), command)

    assert registration.command is command


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.__name__)
def test_readers_and_administrators_never_write(role: Role, command: type[Command]) -> None:
    with pytest.raises(Forbidden):
        REGISTRY.authorise(given.actor(role), command)


def test_only_a_manager_may_agree_a_support_plan() -> None:
    REGISTRY.authorise(given.actor(Role.MANAGER), AgreeSupportPlan)

    for role in (Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER):
        with pytest.raises(
            Forbidden, match=r"agree_support_plan needs one of the roles \['manager'\]"
        ):
            REGISTRY.authorise(given.actor(role), AgreeSupportPlan)


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.__name__)
def test_an_integration_client_granted_writes_may_record_what_a_support_worker_may(
    command: type[Command],
) -> None:
    client = given.actor(Role.INTEGRATION_CLIENT)
    registration = next(r for r in REGISTRY if r.command is command)

    if Role.SUPPORT_WORKER in registration.roles:
        assert REGISTRY.authorise(client, command, writes_granted=True) is registration
    else:
        with pytest.raises(Forbidden):
            REGISTRY.authorise(client, command, writes_granted=True)
    with pytest.raises(Forbidden):
        REGISTRY.authorise(client, command)


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.__name__)
def test_a_tenant_admin_sets_how_services_practise_and_feed_and_records_nothing_of_people(
    command: type[Command],
) -> None:
    admin = given.actor(Role.TENANT_ADMIN)
    staffing = (JoinStaff, MoveStaff, RecordStaffLeaving)  # who works where, not care
    if command in (
        SetPromptLadder,
        SetRestrictionReviewLimit,
        AddTechnique,
        SetGovernanceSettings,
        *staffing,
        *WEBHOOK_COMMANDS,  # what is pushed to other systems
    ):
        REGISTRY.authorise(admin, command)
    else:
        with pytest.raises(Forbidden):
            REGISTRY.authorise(admin, command)


def test_a_grant_of_writes_means_nothing_to_other_readers() -> None:
    for role in (Role.INSPECTOR, Role.COMMISSIONER, Role.TENANT_ADMIN):
        with pytest.raises(Forbidden):
            REGISTRY.authorise(given.actor(role), RegisterPerson, writes_granted=True)


def test_a_command_nobody_registered_is_refused_to_everyone() -> None:
    @dataclass(frozen=True)
    class CloseIncident(Command):
        incident_id: str

    for role in Role:
        with pytest.raises(Forbidden, match="close_incident is not a registered command"):
            REGISTRY.authorise(given.actor(role), CloseIncident)


def test_an_unknown_role_may_do_nothing() -> None:
    with pytest.raises(Forbidden, match="unknown role 'volunteer'"):
        Actor(id="v-1", name="Val", role="volunteer")  # type: ignore[arg-type]


def test_a_role_is_known_by_its_value_or_its_enum_name() -> None:
    assert Role.named("senior_support_worker") is Role.SENIOR_SUPPORT_WORKER
    assert Role.named("MANAGER") is Role.MANAGER


def test_registering_a_command_twice_is_a_mistake_found_at_start_up() -> None:
    twice = [Change(MovePerson, STAFF, find_person, Person.move)] * 2

    with pytest.raises(ValueError, match="MovePerson is registered twice"):
        Registry(twice)


def test_a_command_whose_fields_do_not_match_its_domain_method_is_found_at_start_up() -> None:
    @dataclass(frozen=True)
    class MovePersonSomewhere(Command):
        person_id: str
        destination: str
        locators: ClassVar[frozenset[str]] = frozenset({"person_id"})

    with pytest.raises(TypeError, match=r"gives \['destination'\] but Person.move takes"):
        Registry([Change(MovePersonSomewhere, STAFF, find_person, Person.move)])


def test_creations_are_registered_apart_from_changes() -> None:
    kinds = {registration.command: type(registration) for registration in REGISTRY}

    assert kinds[RegisterPerson] is Creation
    assert kinds[MovePerson] is Change


def test_ids_derived_from_an_idempotency_key_are_the_same_on_every_retry() -> None:
    first, retry = NewIds("provider-a", "key-1"), NewIds("provider-a", "key-1")

    assert first.record() == retry.record()
    assert first.part("outcome") == retry.part("outcome") == retry.part_id


def test_ids_differ_between_keys_providers_and_unkeyed_commands() -> None:
    ids = {
        NewIds("provider-a", "key-1").record(),
        NewIds("provider-a", "key-2").record(),
        NewIds("provider-b", "key-1").record(),
        NewIds("provider-a", None).record(),
        NewIds("provider-a", None).record(),
    }

    assert len(ids) == 5
