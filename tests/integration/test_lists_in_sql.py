"""Service-wide lists are cut to the page asked for by the database, not by the server after
reading them whole: a page is the same rows, in the same order, as the whole list has there,
now and at a past moment as recorded then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.envelope import CommandContext
from domain.incident import HarmLevel
from domain.incident_commands import ReportIncident
from domain.restriction import RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from infra.bootstrap import Runtime
from infra.simulate import simulate
from infra.simulate.story import TENANT, staff_of
from infra.simulate.words import SERVICES
from projections.base import Row, Transaction
from projections.incidents import incidents_of
from projections.plan_parts import due_reviews, repeat_reviews
from projections.restrictions import in_force
from projections.states import Moment

SERVICE = SERVICES[0][0]
Listing = Callable[[Transaction, Moment, int | None, int], list[Row]]
LISTS: dict[str, Listing] = {
    "reviewSchedule": lambda tx, at, limit, offset: due_reviews(
        tx, TENANT, SERVICE, (at.as_of + timedelta(days=90)).date(), at, limit, offset
    ),
    "repeatReviews": lambda tx, at, limit, offset: repeat_reviews(
        tx, TENANT, SERVICE, at, limit, offset
    ),
    "restrictionsInForce": lambda tx, at, limit, offset: in_force(
        tx, TENANT, SERVICE, at, None, limit, offset
    ),
    "incidents": lambda tx, at, limit, offset: incidents_of(
        tx, TENANT, at, service_id=SERVICE, limit=limit, offset=offset
    ),
}


@pytest.fixture
def simulated(runtime: Runtime) -> Runtime:
    """A simulated service, with incidents (the simulation reports none), restrictions, and
    every held plan review marked a repeat (so that list has rows to page)."""
    people = simulate(runtime, people=10, months=6, seed=4, services=1).person_ids
    staff, now = staff_of(0), datetime.now(UTC)
    for n, person in enumerate(people[:6]):
        at = now - timedelta(days=100 - 10 * n)
        context = CommandContext(staff.manager, TENANT, "lists", effective_at=at)
        runtime.records.execute(context, ReportIncident(
            person, "Fell in the kitchen", "Kitchen", "First aid", HarmLevel.LOW,
            [staff.workers[0].id]))  # fmt: skip
        runtime.records.execute(context, ImposeRestriction(
            person, "Front door alarmed at night", "Left at 3am twice",
            RestrictionBasis.BEST_INTERESTS, "Nights only", ["A door sensor"], "Mo Khan",
            (at + timedelta(days=60)).date()))  # fmt: skip
    runtime.projector.catch_up()
    with runtime.store.transaction(write=True) as tx:  # none repeats: mark some as if they did
        tx.execute("UPDATE plan_parts SET repeat_finding = 'decided nothing' "
                   "WHERE kind = 'plan' AND held_at IS NOT NULL")  # fmt: skip
    return runtime


@pytest.mark.parametrize("name", LISTS)
def test_each_page_is_the_whole_list_s_rows_at_its_place(simulated: Runtime, name: str) -> None:
    listing, now = LISTS[name], datetime.now(UTC)
    for at in (Moment.current(), Moment(now - timedelta(days=40), now)):
        with simulated.store.transaction() as tx:
            whole = listing(tx, at, None, 0)
            pages = [listing(tx, at, 3, offset) for offset in range(0, len(whole) + 3, 2)]

        assert len(whole) >= 4, f"{name}: the simulation gave the list too little to page"
        for n, page in enumerate(pages):
            assert page == whole[2 * n : 2 * n + 3], (name, at, n)
