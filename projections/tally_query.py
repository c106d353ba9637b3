"""Reading governance's tallies (projections.tallies) for a scope, a moment and a window of
months: the figure of what holds is the sum of what was added up to the moment; the figure of
what happened in a month is what was added in it (up to the moment, in the moment's own)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from typing import Any

from projections import tracking
from projections.base import Transaction
from projections.governance_measures import Measure
from projections.governance_query import Phrases
from projections.marks import instant
from projections.states import Moment
from projections.tallies import COUNTED, INSTANTS, TALLIES, TENANTS, bucket
from projections.tally_terms import MODELS, PLACED, POINTS, SETTINGS_READ, phrases_from, tallied

Counts = dict[Any, list[int]]  # team or month -> [count, out of]


class TallyQuery:
    """The tallies of a scope at a moment, read once for every measure; `usable` says whether
    they hold what the moment asks (else the dashboard counts the marks)."""

    def __init__(self, tx: Transaction, scope: Any, moment: Moment, settings: Phrases,
                 months: list[str]) -> None:  # fmt: skip
        self.tx, self.scope, self.moment, self.months = tx, scope, moment, months
        self.usable, self.same_settings = self._usable(settings)
        self._months: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
        self._this_month: dict[tuple[str, str, str], int] = defaultdict(int)
        self._earlier: dict[tuple[str, str, str], int] = defaultdict(int)
        if self.usable:
            self._read()

    def _usable(self, settings: Phrases) -> tuple[bool, bool]:
        statuses = tracking.statuses(self.tx).items()
        live = {name: status.version for name, status in statuses if name in MODELS}
        rows = self.tx.fetchall(f"SELECT model, version FROM {COUNTED}")
        counted = {row["model"]: row["version"] for row in rows}
        if counted != live or set(live) != MODELS:
            return False, False
        row = self.tx.fetchone(f"SELECT settings, last_recorded FROM {TENANTS} "
                               "WHERE tenant_id = %(t)s", {"t": self.scope.tenant_id})  # fmt: skip
        if row is None:
            return True, True  # nothing counted: nothing to count
        last = instant(row["last_recorded"])
        if last is not None and last > self.moment.as_known_at:
            return False, False
        return True, phrases_from(row["settings"]) == settings

    def reads(self, measure: Measure) -> bool:
        """Whether the tallies answer for the measure at this moment."""
        if not self.usable or not tallied(measure):
            return False
        return self.same_settings or measure.select not in SETTINGS_READ

    def _read(self) -> None:
        at = self.moment.as_of
        month, day, hour = bucket(at, "M"), bucket(at, "D"), bucket(at, "H")
        team = " AND team_id = %(team)s" if self.scope.team_id is not None else ""
        params = {"tenant": self.scope.tenant_id, "service": self.scope.service_id,
                  "team": self.scope.team_id, "month": month, "day": day, "hour": hour,
                  "at": at}  # fmt: skip
        mine = f"tenant_id = %(tenant)s AND service_id = %(service)s{team}"
        for row in self.tx.fetchall(
            f"SELECT team_id, measure, counter, bucket, n FROM {TALLIES} WHERE {mine} "
            "AND grain = 'M' AND bucket < %(month)s", params,
        ):  # fmt: skip
            key = (row["team_id"], row["measure"], row["counter"])
            self._earlier[key] += row["n"]
            self._months[key][_month_of(row["bucket"])] = row["n"]
        # (one range of the key per grain, each read through the index)
        ranges = " UNION ALL ".join(
            f"SELECT team_id, measure, counter, n FROM {TALLIES} WHERE {mine} "
            f"AND grain = '{grain}' AND bucket >= %({since})s AND bucket < %({until})s"
            for grain, since, until in (("D", "month", "day"), ("H", "day", "hour"))
        )
        ranges += (f" UNION ALL SELECT team_id, measure, counter, n FROM {INSTANTS} "
                   f"WHERE {mine} AND at >= %(hour)s AND at <= %(at)s")  # fmt: skip
        for row in self.tx.fetchall(
            f"SELECT team_id, measure, counter, SUM(n) AS n FROM ({ranges}) t "
            "GROUP BY team_id, measure, counter", params,
        ):  # fmt: skip
            self._this_month[(row["team_id"], row["measure"], row["counter"])] += int(row["n"])

    def teams(self) -> set[str | None]:
        """The teams of the people the scope supported at the moment."""
        return {team or None for team, n in self._held(PLACED, "n").items() if n}

    def _held(self, measure: str, counter: str) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for source in (self._earlier, self._this_month):
            for (team, name, which), n in source.items():
                if name == measure and which == counter:
                    found[team] += n
        return found

    def counts(self, measure: Measure) -> tuple[Counts, Counts]:
        """The measure's [count, out of] per team, and per month for what happened."""
        shared = measure.share is not None or measure.select in SETTINGS_READ
        per_team: Counts = defaultdict(lambda: [0, 0])
        per_month: Counts = defaultdict(lambda: [0, 0])
        if measure.select not in POINTS:
            counted = self._held(measure.name, "n")
            for team, n in counted.items():
                if n:
                    per_team[team or None] = [n, n]
            return dict(per_team), {}
        current = _month_of(self.moment.as_of)
        for month in self.months:
            if month > current:
                continue  # (nothing has happened after the moment)
            counted = self._happened(measure.name, "n", month, current)
            out_of = self._happened(measure.name, "of", month, current) if shared else counted
            for team in counted.keys() | out_of.keys():
                n, of = counted.get(team, 0), out_of.get(team, 0)
                for into, key in ((per_team, team or None), (per_month, month)):
                    into[key][0] += n
                    into[key][1] += of
        return _nonzero(per_team), _nonzero(per_month)

    def _happened(self, measure: str, counter: str, month: str, current: str) -> dict[str, int]:
        found: dict[str, int] = {}
        if month == current:
            for (team, name, which), n in self._this_month.items():
                if name == measure and which == counter:
                    found[team] = n
            return found
        for (team, name, which), by_month in self._months.items():
            if name == measure and which == counter and month in by_month:
                found[team] = by_month[month]
        return found


def _month_of(value: Any) -> str:
    return str(instant(value).astimezone(UTC).strftime("%Y-%m"))


def _nonzero(counts: Counts) -> Counts:
    return {key: value for key, value in counts.items() if value != [0, 0]}
