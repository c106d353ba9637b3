"""The governance dashboard of a service (or one of its teams) at a moment, and the marks behind
each figure: read from the tallies kept as marks change (projections.tallies) where they hold
what the moment asks, else counted in SQL from the marks tables (projections.marks); either way
never the event log or the records. The marks behind a figure are always read from the marks.

A person's records count in the service and team that supported them: at the moment for what
holds then, and when it happened for what happened (so a month's figures stay with the team of
that month). Staff count where they worked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from projections.base import Row, Transaction
from projections.governance_measures import MEASURES, Measure
from projections.governance_query import POINTS, SHARES, MarksQuery, Phrases, Scope
from projections.states import Moment
from projections.tally_query import TallyQuery

__all__ = ["Figure", "Phrases", "Scope", "dashboard", "evidence", "held_each_month", "months_to"]


@dataclass
class Figure:
    measure: Measure
    count: int = 0
    out_of: int | None = None
    teams: dict[str | None, list[int]] | None = None
    months: dict[str, list[int]] | None = None


def months_to(moment: Moment, how_many: int) -> list[str]:
    """The `how_many` months ending with the moment's, oldest first (YYYY-MM)."""
    year, month = moment.as_of.year, moment.as_of.month
    found = []
    for _ in range(how_many):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def dashboard(
    tx: Transaction, scope: Scope, moment: Moment, phrases: Phrases, months: list[str]
) -> list[Figure]:
    """Every measure's figure for the scope at the moment, with its teams side by side and, for
    what happened, its months."""
    query = MarksQuery(tx, scope, moment, phrases, months)
    tallies = TallyQuery(tx, scope, moment, phrases, months)
    counted = {measure: (tallies if tallies.reads(measure) else query).counts(measure)
               for measure in MEASURES}  # fmt: skip
    # Every figure lists the same teams: those of the scope at the moment, and any where
    # something counted happened in the window.
    scoped = (tallies.teams() | query.teams(of_people=False)) if tallies.usable else query.teams()
    teams = sorted(scoped.union(*(per_team for per_team, _ in counted.values())),
                   key=lambda team: team or "")  # fmt: skip
    figures = []
    for measure, (per_team, per_month) in counted.items():
        shared = measure.share is not None or measure.select in SHARES
        figures.append(Figure(
            measure,
            sum(n for n, _ in per_team.values()),
            sum(of for _, of in per_team.values()) if shared else None,
            {team: per_team.get(team, [0, 0]) for team in teams},
            {month: per_month.get(month, [0, 0]) for month in months}
            if measure.select in POINTS else None,
        ))  # fmt: skip
    return figures


def evidence(
    tx: Transaction,
    scope: Scope,
    moment: Moment,
    phrases: Phrases,
    months: list[str],
    measure: Measure,
    month: str | None,
    offset: int,
    limit: int,
) -> list[Row]:
    """The marks behind a measure's figure (in one month of the window, if given), in the
    order they took effect: each names its record."""
    query = MarksQuery(tx, scope, moment, phrases, [month] if month else months)
    return query.rows(measure, offset, limit)


def held_each_month(
    tx: Transaction, scope: Scope, until: datetime, known_at: datetime, phrases: Phrases,
    months: list[str], measure: Measure,
) -> dict[str, list[int]]:  # fmt: skip
    """A measure of what holds (not of what happened) as it stood at the end of each month (the
    last at `until`), as recorded by `known_at`: [count, out of] per month."""
    found = {}
    for month in months:
        year, number = int(month[:4]), int(month[5:])
        after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
        end = min(after - timedelta(microseconds=1), until)
        per_team, _ = MarksQuery(tx, scope, Moment(end, known_at), phrases, [month]).counts(measure)
        found[month] = [
            sum(n for n, _ in per_team.values()),
            sum(of for _, of in per_team.values()),
        ]
    return found
