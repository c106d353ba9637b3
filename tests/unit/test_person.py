"""Person: registering someone supported, moving them, their advocate and consent to share."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.errors import RulesViolated
from domain.person import Advocate, ConsentToShare, Person
from tests.unit import given


def test_registering_a_person_records_who_they_are_and_where_they_are_supported() -> None:
    person = Person.register(
        given.envelope(),
        name="  Dana Whitfield ",
        date_of_birth=date(1987, 5, 2),
        service_id=given.SERVICE,
        team_id=given.TEAM,
    )

    [registered] = person.collect_events()
    assert type(registered).__name__ == "Registered"
    assert registered.name == "Dana Whitfield"
    assert registered.date_of_birth == date(1987, 5, 2)
    assert (registered.service_id, registered.team_id) == (given.SERVICE, given.TEAM)
    assert person.tenant_id == given.TENANT
    assert (person.advocate, person.consent_to_share) == (None, None)


def test_a_person_may_be_registered_without_a_date_of_birth_or_team() -> None:
    person = Person.register(
        given.envelope(), name="Sam", date_of_birth=None, service_id=given.SERVICE, team_id=None
    )

    assert given.names(person.collect_events()) == ["Registered"]
    assert (person.date_of_birth, person.team_id) == (None, None)


def test_registering_without_a_name_or_service_is_refused_for_both_at_once() -> None:
    with pytest.raises(RulesViolated) as refusal:
        Person.register(
            given.envelope(), name="  ", date_of_birth=None, service_id="", team_id=None
        )

    assert given.rules(refusal) == {"person.name.required", "person.service.required"}


def test_registering_a_date_of_birth_after_the_effective_date_is_refused() -> None:
    tomorrow = given.NOW.date() + timedelta(days=1)

    with pytest.raises(RulesViolated) as refusal:
        Person.register(
            given.envelope(), name="Sam", date_of_birth=tomorrow, service_id="s", team_id=None
        )

    assert given.rules(refusal) == {"person.date_of_birth.future"}


def test_a_date_of_birth_is_judged_against_the_effective_date_not_the_clock() -> None:
    # A baby registered as born today, in a record back-dated a year, was not yet born.
    back_dated = given.envelope(effective_at=given.NOW - timedelta(days=365))

    with pytest.raises(RulesViolated) as refusal:
        Person.register(
            back_dated, name="Sam", date_of_birth=given.NOW.date(), service_id="s", team_id=None
        )

    assert given.rules(refusal) == {"person.date_of_birth.future"}


def test_moving_a_person_to_another_service_and_team_with_a_reason_is_recorded() -> None:
    person = given.person()

    person.move(given.envelope(reason="closer to family"), service_id="service-b", team_id=None)

    [moved] = person.collect_events()
    assert type(moved).__name__ == "Moved"
    assert (moved.service_id, moved.team_id) == ("service-b", None)
    assert moved.envelope.reason == "closer to family"
    assert (person.service_id, person.team_id) == ("service-b", None)


def test_moving_a_person_to_another_team_in_the_same_service_is_a_move() -> None:
    person = given.person()

    person.move(given.envelope(reason="team merger"), service_id=given.SERVICE, team_id="team-b")

    assert given.names(person.collect_events()) == ["Moved"]
    assert person.team_id == "team-b"


def test_moving_a_person_to_where_they_already_are_is_refused() -> None:
    person = given.person()

    with pytest.raises(RulesViolated) as refusal:
        person.move(given.envelope(reason="tidy up"), service_id=given.SERVICE, team_id=given.TEAM)

    assert given.rules(refusal) == {"person.move.no_change"}


def test_moving_a_person_without_a_reason_is_refused() -> None:
    person = given.person()

    with pytest.raises(RulesViolated) as refusal:
        person.move(given.envelope(reason="   "), service_id="service-b", team_id=None)

    assert given.rules(refusal) == {"person.move.reason_required"}


def test_moving_a_person_to_no_service_is_refused() -> None:
    person = given.person()

    with pytest.raises(RulesViolated) as refusal:
        person.move(given.envelope(reason="discharged"), service_id=" ", team_id=None)

    assert given.rules(refusal) == {"person.service.required"}


def test_a_refused_move_records_nothing_and_leaves_the_person_where_they_were() -> None:
    person = given.person()

    with pytest.raises(RulesViolated):
        person.move(given.envelope(), service_id="service-b", team_id=None)

    assert person.collect_events() == []
    assert (person.service_id, person.team_id) == (given.SERVICE, given.TEAM)


def test_recording_an_advocate_names_who_speaks_up_for_the_person() -> None:
    person = given.person()
    advocate = Advocate(name="Priya Shah", relationship="sister", contact="07700 900123")

    person.record_advocate(given.envelope(), advocate)

    [recorded] = person.collect_events()
    assert type(recorded).__name__ == "AdvocateRecorded"
    assert recorded.advocate == advocate
    assert person.advocate == advocate


def test_an_advocate_without_a_name_or_relationship_is_refused_for_both_at_once() -> None:
    person = given.person()

    with pytest.raises(RulesViolated) as refusal:
        person.record_advocate(given.envelope(), Advocate(name="", relationship=" ", contact=None))

    assert given.rules(refusal) == {
        "person.advocate.name_required",
        "person.advocate.relationship_required",
    }


@pytest.mark.parametrize("given_consent", [True, False])
def test_recording_consent_to_share_keeps_the_answer_its_scope_and_when(
    given_consent: bool,
) -> None:
    person = given.person()
    when = given.NOW - timedelta(days=2)

    person.record_consent_to_share(
        given.envelope(effective_at=when), given=given_consent, scope=" GP and pharmacy "
    )

    [recorded] = person.collect_events()
    assert type(recorded).__name__ == "ConsentToShareRecorded"
    assert person.consent_to_share == ConsentToShare(
        given=given_consent, scope="GP and pharmacy", recorded_at=when.isoformat()
    )


def test_consent_to_share_without_a_scope_is_refused() -> None:
    person = given.person()

    with pytest.raises(RulesViolated) as refusal:
        person.record_consent_to_share(given.envelope(), given=True, scope="  ")

    assert given.rules(refusal) == {"person.consent.scope_required"}
