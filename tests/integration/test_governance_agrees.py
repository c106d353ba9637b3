"""The governance dashboard counts from its own marks what other reads find in the read models
they keep: on a simulated service, at moments across its history and as recorded at times
before now, the restrictions in force and overdue, the stage reviews overdue and the staff whose
supervision is overdue agree with the lists that name them, late entries included."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from domain.envelope import CommandContext, Role
from domain.restriction import RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from domain.staff import InductionPart
from domain.staff_commands import JoinStaff, RecordInduction
from infra.bootstrap import Runtime
from infra.simulate import simulate
from infra.simulate.story import TENANT, staff_of
from infra.simulate.words import SERVICES
from projections.governance import Phrases, Scope, dashboard
from projections.plan_parts import due_reviews
from projections.restrictions import in_force
from projections.staff import workforce
from projections.states import Moment

SERVICE = SERVICES[0][0]
PHRASES = Phrases(6, ("staff completed",), ("with one prompt",))


def test_counts_agree_with_the_lists_at_moments_across_the_history(runtime: Runtime) -> None:
    people = simulate(runtime, people=8, months=4, seed=21, services=1).person_ids
    now = simulated = datetime.now(UTC)
    _overdue_for_review(runtime, people[0], now)
    _supervision_follow_up_passed(runtime, now)
    runtime.projector.catch_up()
    now = datetime.now(UTC)  # everything written is known by now
    # as recorded now, and before the late entries below were
    moments = [Moment(now - timedelta(days=days), known)
               for days in (0, 20, 45, 70, 100) for known in (now, simulated)]  # fmt: skip
    seen = 0
    with runtime.store.transaction() as tx:
        for moment in moments:
            figures = {figure.measure.name: figure.count for figure in dashboard(
                tx, Scope(TENANT, SERVICE, None), moment, PHRASES, ["2026-01"])}  # fmt: skip
            today = moment.as_of.astimezone(UTC).date()
            restrictions = in_force(tx, TENANT, SERVICE, moment)
            overdue = [r for r in restrictions if date.fromisoformat(r["review_by"]) < today]
            due = due_reviews(tx, TENANT, SERVICE, today, moment)
            stages = [r for r in due if r["kind"] == "stage"
                      and date.fromisoformat(r["due_on"]) < today]  # fmt: skip
            staff = [row for row in workforce(tx, TENANT, SERVICE, None, moment)
                     if _supervision_overdue(row["document"], today)]  # fmt: skip

            assert figures["RESTRICTIONS_IN_FORCE"] == len(restrictions), moment
            assert figures["RESTRICTIONS_OVERDUE_FOR_REVIEW"] == len(overdue), moment
            assert figures["STAGE_REVIEWS_OVERDUE"] == len(stages), moment
            assert figures["SUPERVISION_OVERDUE"] == len(staff), moment
            seen += len(restrictions) + len(stages) + len(staff)
    assert seen > 0, "the simulated service gave the measures nothing to count"


def _context(at: datetime) -> CommandContext:
    manager = staff_of(0).manager  # the service's own, joined by the simulation
    return CommandContext(manager, TENANT, "agrees", effective_at=at, reason="typed up late")


def _overdue_for_review(runtime: Runtime, person_id: str, now: datetime) -> None:
    """A restriction whose review-by date passed 10 days ago, unreviewed."""
    imposed = now - timedelta(days=80)
    runtime.records.execute(_context(imposed), ImposeRestriction(
        person_id, "Front door alarmed at night", "Left at 3am twice",
        RestrictionBasis.BEST_INTERESTS, "Nights only", ["A door sensor"], "Mo Khan",
        (now - timedelta(days=10)).date()))  # fmt: skip


def _supervision_follow_up_passed(runtime: Runtime, now: datetime) -> None:
    """A new starter whose first supervision, agreed at induction, fell due 30 days ago."""
    joined = now - timedelta(days=70)
    runtime.records.execute(_context(joined), JoinStaff("staff-new", "New Starter",
                                                       Role.SUPPORT_WORKER, SERVICE))  # fmt: skip
    runtime.records.execute(_context(joined), RecordInduction(
        "staff-new", InductionPart.SUPERVISION_FOLLOW_UP, "First supervision booked",
        (now - timedelta(days=30)).date()))  # fmt: skip


def _supervision_overdue(document: str, today: date) -> bool:
    due = json.loads(document)["supervisionDue"]
    return due is not None and date.fromisoformat(due) < today
