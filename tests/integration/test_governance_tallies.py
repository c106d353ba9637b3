"""Governance's tallies give every figure counting the marks gives: on a simulated service with
a person moved between teams late, late entries and a correction, at moments across its history
(on the hour, within it, at midnight), for the service and each team; after the provider
changes its phrases; and the same tallies whether kept as events arrived or counted afresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.envelope import CommandContext
from domain.errors import RulesViolated
from domain.person_commands import MovePerson
from domain.provider_policy import SetGovernanceSettings
from domain.restriction import RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from infra.bootstrap import Runtime
from infra.rebuild import rebuild
from infra.simulate import simulate
from infra.simulate.story import TENANT, staff_of
from infra.simulate.words import SERVICES
from projections import tallies, tracking
from projections.governance import Phrases, Scope, months_to
from projections.governance_measures import MEASURES
from projections.governance_query import POINTS, MarksQuery
from projections.people import People
from projections.settings import governance_settings
from projections.states import Moment
from projections.tally_query import TallyQuery
from projections.tally_terms import SETTINGS_READ, phrases_of, tallied

SERVICE, TEAMS = SERVICES[0][0], SERVICES[0][1]
TALLIED = [measure for measure in MEASURES if tallied(measure)]


def test_tallies_give_the_figures_counting_the_marks_gives(runtime: Runtime) -> None:
    people = simulate(runtime, people=10, months=4, seed=5, services=1).person_ids
    now = datetime.now(UTC)
    _move_to_the_other_team(runtime, people[0], now - timedelta(days=40))
    _move_to_the_other_team(runtime, people[1], now - timedelta(days=20, hours=3))
    _impose(runtime, people[2], now - timedelta(days=80), now - timedelta(days=10))
    runtime.projector.catch_up()

    compared = _agree(runtime, datetime.now(UTC))
    assert compared > 500, "the simulated service gave the tallies little to count"

    changed = datetime.now(UTC) - timedelta(hours=2)
    runtime.records.execute(_context(changed), SetGovernanceSettings(
        2, ["staff completed", "done for"], ["prompt", "independently"]))  # fmt: skip
    runtime.projector.catch_up()
    _agree(runtime, datetime.now(UTC), settings_since=changed)


def test_tallies_kept_as_events_arrive_are_those_counted_afresh(runtime: Runtime) -> None:
    people = simulate(runtime, people=6, months=3, seed=8, services=1).person_ids
    now = datetime.now(UTC)
    _move_to_the_other_team(runtime, people[0], now - timedelta(days=30))
    runtime.projector.catch_up()
    kept = _tallies(runtime)
    assert kept
    with runtime.store.transaction(write=True) as tx:
        tallies.recount(tx, {s: v.version for s, v in tracking.statuses(tx).items()})
    assert _tallies(runtime) == kept


def test_tallies_are_counted_afresh_once_a_read_model_is_rebuilt(runtime: Runtime) -> None:
    simulate(runtime, people=4, months=2, seed=3, services=1)
    runtime.projector.catch_up()
    kept = _tallies(runtime)
    with runtime.store.transaction(write=True) as tx:  # as if they had been lost
        tx.execute(f"DELETE FROM {tallies.TALLIES}")
    assert rebuild(runtime.projector, [runtime.projector.model(People.name)]) == {}
    assert _tallies(runtime) == kept
    with runtime.store.transaction() as tx:
        assert TallyQuery(tx, Scope(TENANT, SERVICE, None), Moment.current(),
                          _phrases(tx, Moment.current()), ["2026-01"]).usable  # fmt: skip


def test_a_moment_asked_as_known_before_the_latest_change_is_counted_from_the_marks(
    runtime: Runtime,
) -> None:
    simulate(runtime, people=3, months=2, seed=4, services=1)
    runtime.projector.catch_up()
    with runtime.store.transaction() as tx:
        long_ago = Moment(datetime.now(UTC), datetime.now(UTC) - timedelta(days=400))
        assert not TallyQuery(tx, Scope(TENANT, SERVICE, None), long_ago,
                              _phrases(tx, long_ago), ["2026-01"]).usable  # fmt: skip


def _agree(runtime: Runtime, known: datetime, settings_since: datetime | None = None) -> int:
    """Compares every tallied figure with the count of the marks; returns how much agreed.
    Before `settings_since`, the provider's settings were others than the tallies count with:
    the measures reading them are left to the marks."""
    compared = 0
    moments = [
        known - timedelta(days=days, hours=hours, minutes=minutes)
        for days in (0, 1, 9, 33, 61, 95)
        for hours, minutes in ((0, 0), (5, 17))
    ]
    midnight = known.replace(hour=0, minute=0, second=0, microsecond=0)
    moments += [midnight - timedelta(days=days) for days in (0, 14, 29)]
    with runtime.store.transaction() as tx:
        for at in moments:
            moment = Moment(at, known)
            phrases = _phrases(tx, moment)
            window = months_to(moment, 4)
            for team in (None, *TEAMS):
                scope = Scope(TENANT, SERVICE, team)
                exact = MarksQuery(tx, scope, moment, phrases, window)
                kept = TallyQuery(tx, scope, moment, phrases, window)
                same = settings_since is None or at >= settings_since
                assert kept.usable and kept.same_settings == same, (at, team)
                assert kept.teams() | exact.teams(of_people=False) == exact.teams(), (at, team)
                for measure in TALLIED:
                    assert kept.reads(measure) == (same or measure.select not in SETTINGS_READ)
                    if not kept.reads(measure):
                        continue
                    per_team, per_month = exact.counts(measure)
                    kept_per_team, kept_per_month = kept.counts(measure)
                    assert kept_per_team == per_team, (measure.name, at, team)
                    if measure.select in POINTS:
                        assert kept_per_month == per_month, (measure.name, at, team)
                    compared += sum(n + of for n, of in per_team.values())
    return compared


def _tallies(runtime: Runtime) -> dict[tuple[object, ...], int]:
    with runtime.store.transaction() as tx:
        rows = tx.fetchall(f"SELECT * FROM {tallies.TALLIES} WHERE n <> 0")
    return {tuple(str(row[c]) for c in row if c != "n"): row["n"] for row in rows}


def _phrases(tx: object, moment: Moment) -> Phrases:
    return phrases_of(governance_settings(tx, TENANT, moment))  # type: ignore[arg-type]


def _context(at: datetime) -> CommandContext:
    manager = staff_of(0).manager  # the service's own, joined by the simulation
    return CommandContext(manager, TENANT, "tallies", effective_at=at, reason="typed up late")


def _move_to_the_other_team(runtime: Runtime, person_id: str, at: datetime) -> None:
    try:
        runtime.records.execute(_context(at), MovePerson(person_id, SERVICE, TEAMS[1]))
    except RulesViolated:  # in that team already
        runtime.records.execute(_context(at), MovePerson(person_id, SERVICE, TEAMS[0]))


def _impose(runtime: Runtime, person_id: str, imposed: datetime, review_by: datetime) -> None:
    runtime.records.execute(_context(imposed), ImposeRestriction(
        person_id, "Front door alarmed at night", "Left at 3am twice",
        RestrictionBasis.BEST_INTERESTS, "Nights only", ["A door sensor"], "Mo Khan",
        review_by.date()))  # fmt: skip
