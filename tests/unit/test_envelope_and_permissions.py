"""The envelope every event carries, and which roles may issue which commands."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.envelope import Actor, Role
from domain.errors import Forbidden, RulesViolated
from domain.permissions import authorise
from tests.unit import given


def test_an_envelope_without_an_effective_time_takes_effect_now() -> None:
    envelope = given.envelope()

    assert envelope.effective_at == given.NOW


def test_an_envelope_carries_who_for_which_provider_and_service_and_why() -> None:
    envelope = given.envelope(role=Role.MANAGER, reason="  annual review  ")

    assert envelope.actor == given.actor(Role.MANAGER)
    assert (envelope.tenant_id, envelope.service_id) == (given.TENANT, given.SERVICE)
    assert envelope.correlation_id == "correlation-1"
    assert envelope.reason == "annual review"


@pytest.mark.parametrize("blank", [None, "", "   \n"])
def test_a_blank_reason_is_no_reason(blank: str | None) -> None:
    assert given.envelope(reason=blank).reason is None


def test_a_fact_may_be_recorded_after_it_happened() -> None:
    last_week = given.NOW - timedelta(days=7)

    assert given.envelope(effective_at=last_week).effective_at == last_week


def test_a_clock_ahead_by_no_more_than_the_allowed_skew_is_tolerated() -> None:
    at_the_limit = given.NOW + given.SKEW

    assert given.envelope(effective_at=at_the_limit).effective_at == at_the_limit


def test_an_effective_time_in_the_future_beyond_the_skew_is_refused() -> None:
    with pytest.raises(RulesViolated) as refusal:
        given.envelope(effective_at=given.NOW + given.SKEW + timedelta(seconds=1))

    assert given.rules(refusal) == {"envelope.effective_at.future"}


def test_an_effective_time_without_a_timezone_is_refused_and_not_compared_with_now() -> None:
    naive_and_far_ahead = datetime(2030, 1, 1, 9, 0)

    with pytest.raises(RulesViolated) as refusal:
        given.envelope(effective_at=naive_and_far_ahead)

    assert given.rules(refusal) == {"envelope.effective_at.timezone"}


STAFF = [Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER, Role.MANAGER]
READERS = [Role.INSPECTOR, Role.COMMISSIONER]
WRITES = ["register_person", "record_assessment_section", "agree_outcome", "agree_support_plan"]


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("command", ["register_person", "complete_assessment", "agree_outcome"])
def test_any_member_of_staff_may_record_and_plan(role: Role, command: str) -> None:
    authorise(given.actor(role), command)


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("command", WRITES)
def test_inspectors_and_commissioners_read_but_never_write(role: Role, command: str) -> None:
    with pytest.raises(Forbidden):
        authorise(given.actor(role), command)


@pytest.mark.parametrize("command", WRITES)
def test_an_unknown_role_may_do_nothing(command: str) -> None:
    with pytest.raises(Forbidden, match="unknown role 'volunteer'"):
        authorise(Actor(id="v-1", name="Val", role="volunteer"), command)


def test_only_a_manager_may_agree_a_support_plan() -> None:
    authorise(given.actor(Role.MANAGER), "agree_support_plan")

    for role in (Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER):
        with pytest.raises(
            Forbidden, match=r"agree_support_plan needs one of the roles \['manager'\]"
        ):
            authorise(given.actor(role), "agree_support_plan")
