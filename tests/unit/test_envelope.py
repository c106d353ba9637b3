"""The envelope every event carries: who, for which provider and service, when, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.envelope import Envelope, Role
from domain.errors import Forbidden, RulesViolated
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


def test_a_clock_ahead_by_no_more_than_the_allowed_skew_is_taken_as_now() -> None:
    at_the_limit = given.NOW + given.SKEW

    # A fact is never effective after it was recorded.
    assert given.envelope(effective_at=at_the_limit).effective_at == given.NOW


def test_an_effective_time_is_kept_in_utc_whatever_offset_was_sent() -> None:
    in_new_york = datetime(2025, 3, 14, 5, 0, tzinfo=timezone(timedelta(hours=-5)))
    in_paris = datetime(2025, 3, 14, 10, 30, tzinfo=timezone(timedelta(hours=1)))

    earlier, later = (given.envelope(effective_at=t).effective_at for t in (in_paris, in_new_york))

    assert (earlier.utcoffset(), later.utcoffset()) == (timedelta(0), timedelta(0))
    assert earlier.isoformat() < later.isoformat()  # as text, too, the order is the instants'


def test_an_effective_time_in_the_future_beyond_the_skew_is_refused() -> None:
    with pytest.raises(RulesViolated) as refusal:
        given.envelope(effective_at=given.NOW + given.SKEW + timedelta(seconds=1))

    assert given.rules(refusal) == {"envelope.effective_at.future"}


def test_an_effective_time_without_a_timezone_is_refused_and_not_compared_with_now() -> None:
    naive_and_far_ahead = datetime(2030, 1, 1, 9, 0)

    with pytest.raises(RulesViolated) as refusal:
        given.envelope(effective_at=naive_and_far_ahead)

    assert given.rules(refusal) == {"envelope.effective_at.timezone"}


def test_an_effective_time_before_1900_is_refused_as_a_typing_error() -> None:
    with pytest.raises(RulesViolated) as refusal:
        given.envelope(effective_at=datetime(1, 1, 1, tzinfo=UTC))

    assert given.rules(refusal) == {"envelope.effective_at.too_early"}


def test_a_caller_scoped_to_services_writes_only_in_them() -> None:
    scoped = given.context(services=frozenset({"svc-north"}))

    Envelope.seal(scoped, service_id="svc-north", now=given.NOW, skew=given.SKEW)
    with pytest.raises(Forbidden, match=r"service 'svc-south'.*covers \['svc-north'\]"):
        Envelope.seal(scoped, service_id="svc-south", now=given.NOW, skew=given.SKEW)
