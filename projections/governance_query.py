"""How the governance dashboard (projections.governance) counts: each measure as SQL over the
marks tables (projections.marks), joined to where each person was placed, for a scope, a moment
and a window of months."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.catalogue import record_type_of
from projections.base import Row, Transaction
from projections.governance_measures import DUE_SOON_DAYS, MEASURES, Measure, Select
from projections.marks import months_before, utc_day
from projections.people import People
from projections.practice import UNSIGNED
from projections.staff import Staff
from projections.states import Moment, known_at, parameters
from projections.support_plans import SupportPlans

PLACEMENTS = People.marks
Counts = dict[Any, list[int]]  # team or month -> [count, out of]
POINTS = (Select.HAPPENED, Select.DOING_FOR, Select.SUPPORTING_WITH, Select.UNSIGNED_WRITES)
SHARES = (Select.DOING_FOR, Select.SUPPORTING_WITH, Select.WITHOUT_SIGN_OFF)
_LANGUAGE = {Select.DOING_FOR: "doing_for", Select.SUPPORTING_WITH: "supporting_with"}


@dataclass(frozen=True)
class Scope:
    tenant_id: str
    service_id: str
    team_id: str | None  # None: the whole service


@dataclass(frozen=True)
class Phrases:
    """What the language audit and the static-plan measure read: the provider's settings."""

    static_plan_months: int
    doing_for: tuple[str, ...]
    supporting_with: tuple[str, ...]


class MarksQuery:
    """The SQL of each measure's count, and of the marks behind it, for a scope, a moment and
    a window of months."""

    def __init__(
        self, tx: Transaction, scope: Scope, moment: Moment, phrases: Phrases, months: list[str]
    ) -> None:
        self.tx, self.scope, self.phrases = tx, scope, phrases
        self._texts: list[Row] | None = None
        today = utc_day(moment.as_of)
        first, last = (
            date.fromisoformat(f"{min(months)}-01"),
            date.fromisoformat(f"{max(months)}-01"),
        )
        after = date(last.year + last.month // 12, last.month % 12 + 1, 1)
        self.params: dict[str, Any] = {
            "tenant": scope.tenant_id,
            "service": scope.service_id,
            "team": scope.team_id,
            "today": today.isoformat(),
            "soon": (today + timedelta(days=DUE_SOON_DAYS)).isoformat(),
            "static_before": months_before(today, phrases.static_plan_months).isoformat(),
            "window_from": datetime(first.year, first.month, 1, tzinfo=UTC),
            "window_end": datetime(after.year, after.month, 1, tzinfo=UTC),
            **parameters(moment),
        }
        for n, phrase in enumerate((*phrases.doing_for, *phrases.supporting_with)):
            self.params[f"phrase{n}"] = phrase.casefold()

    # -- figures -----------------------------------------------------------------------------

    def teams(self, *, of_people: bool = True) -> set[str | None]:
        """The teams of the people the scope supported at the moment (unless not asked for),
        and of the staff working in it."""
        people = f"SELECT DISTINCT p.team_id FROM ({self._placed()}) p UNION " if of_people else ""
        rows = self.tx.fetchall(
            f"{people}SELECT DISTINCT m.team_id FROM {Staff.marks} m "
            f"WHERE {self._staff_scope('m')} AND m.measure = 'staff_working' "
            f"AND {_in_force('m')} AND {known_at('m')}",
            self.params,
        )
        return {row["team_id"] for row in rows}

    def counts(self, measure: Measure) -> tuple[Counts, Counts]:
        """The measure's [count, out of] per team, and per month for what happened."""
        per_team: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
        per_month: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
        kind = _LANGUAGE.get(measure.select)
        for row in self._language() if kind else self.tx.fetchall(self._counting(measure),
                                                                   self.params):  # fmt: skip
            counted = row["kinds"].get(kind, 0) if kind else row["n"]
            for key, into in ((row["team_id"], per_team), (row.get("month"), per_month)):
                into[key][0] += int(counted or 0)
                into[key][1] += int(row["out_of"] or 0)
        return dict(per_team), dict(per_month)

    def _language(self) -> list[Row]:
        """Texts per team, month and kind: read once for both language measures (the texts
        are most of what a service writes)."""
        if self._texts is None:
            measure = next(m for m in MEASURES if m.select is Select.DOING_FOR)
            rows = self.tx.fetchall(
                f"SELECT t.team_id, t.month, t.kind, COUNT(*) AS n FROM "
                f"({self._selected(measure)}) t GROUP BY t.team_id, t.month, t.kind",
                self.params,
            )
            grouped: dict[tuple[Any, Any], Row] = {}
            for row in rows:
                found = grouped.setdefault((row["team_id"], row["month"]),
                                           {"team_id": row["team_id"], "month": row["month"],
                                            "kinds": {}, "out_of": 0})  # fmt: skip
                found["kinds"][row["kind"]] = int(row["n"])
                found["out_of"] += int(row["n"])
            self._texts = list(grouped.values())
        return self._texts

    def _counting(self, measure: Measure) -> str:
        selected = self._selected(measure)
        counted = f"SUM(CASE WHEN {self._counted(measure)} THEN 1 ELSE 0 END)"
        month = ", t.month" if measure.select in POINTS else ""
        return (
            f"SELECT t.team_id{month}, {counted} AS n, COUNT(*) AS out_of FROM ({selected}) t "
            f"GROUP BY t.team_id{month}"
        )

    def _counted(self, measure: Measure) -> str:
        """Which of the selected marks the figure counts (the rest are its `out of`)."""
        if measure.share is not None:
            return "t.detail = %(share_" + measure.name + ")s"
        if measure.select is Select.DOING_FOR:
            return "t.kind = 'doing_for'"
        if measure.select is Select.SUPPORTING_WITH:
            return "t.kind = 'supporting_with'"
        if measure.select is Select.WITHOUT_SIGN_OFF:
            return "t.signed_off = 0"
        return "1 = 1"

    # -- the marks behind a figure -----------------------------------------------------------

    def rows(self, measure: Measure, offset: int, limit: int) -> list[Row]:
        counted = self._counted(measure)
        if measure.share is not None:
            counted = "1 = 1"  # every review held, each saying whether it was on time
        return self.tx.fetchall(
            f"SELECT t.* FROM ({self._selected(measure)}) t WHERE {counted} "
            "ORDER BY t.effective_from, t.record_id, t.item_key "
            f"LIMIT {int(limit)} OFFSET {int(offset)}",
            self.params,
        )

    # -- what each kind of measure selects ---------------------------------------------------

    def _selected(self, measure: Measure) -> str:
        if measure.share is not None:
            self.params[f"share_{measure.name}"] = measure.share
        if measure.select is Select.UNSIGNED_WRITES:
            return self._unsigned_writes()
        return " UNION ALL ".join(
            self._select_from(measure, source, mark) for mark, source in measure.marks
        )

    def _select_from(self, measure: Measure, source: Any, mark: str) -> str:
        table, kind = source.marks, record_type_of(source.aggregate).name
        self.params[f"mark_{mark}"] = mark
        where = f"m.measure = %(mark_{mark})s AND {known_at('m')}"
        record = (
            "m.record_id, m.person_id, m.item_key, m.on_date, m.detail, m.effective_from, "
            f"'{kind}' AS record_type"
        )
        if measure.select in POINTS:
            month = self._month("m.effective_from")
            return (
                f"SELECT {record}, p.team_id, {month} AS month, {self._kind(measure)} AS kind "
                f"FROM {table} m JOIN {PLACEMENTS} p ON {self._placed_when('p')} "
                f"WHERE {where} AND m.effective_to = m.effective_from "
                "AND m.effective_from >= %(window_from)s AND m.effective_from < %(window_end)s "
                "AND m.effective_from <= %(as_of)s"
            )
        where += f" AND {_in_force('m')}{self._on(measure)}"
        if measure.select is Select.NOT_ALIGNED:
            return self._not_aligned(record, table, where)
        if measure.select is Select.WITHOUT_SIGN_OFF:
            return self._without_sign_off(record, table, where)
        if source is Staff:
            return (
                f"SELECT {record}, m.team_id FROM {table} m "
                f"WHERE {self._staff_scope('m')} AND {where}"
            )
        return (
            f"SELECT {record}, p.team_id FROM {table} m "
            f"JOIN ({self._placed()}) p ON p.person_id = m.person_id WHERE {where}"
        )

    def _on(self, measure: Measure) -> str:
        return {
            Select.DUE: " AND m.on_date >= %(today)s AND m.on_date <= %(soon)s",
            Select.OVERDUE: " AND m.on_date < %(today)s",
            Select.STATIC: " AND m.on_date < %(static_before)s",
        }.get(measure.select, "")

    def _kind(self, measure: Measure) -> str:
        """Language: which list a text's words match ('doing for' first), else NULL."""
        if measure.select not in (Select.DOING_FOR, Select.SUPPORTING_WITH):
            return "NULL"
        doing = range(len(self.phrases.doing_for))
        supporting = range(len(doing), len(doing) + len(self.phrases.supporting_with))

        def any_of(numbers: range) -> str:
            found = [self._contains("lower(m.detail)", f"%(phrase{n})s") for n in numbers]
            return " OR ".join(found) or "1 = 0"

        return (
            f"CASE WHEN {any_of(doing)} THEN 'doing_for' "
            f"WHEN {any_of(supporting)} THEN 'supporting_with' ELSE NULL END"
        )

    def _not_aligned(self, record: str, table: str, where: str) -> str:
        """Restrictions in force and agreed safeguards the person's guidance at the moment
        does not contain (ignoring case); with no guidance, none is contained."""
        contained = self._contains("lower(g.detail)", "lower(m.detail)")
        guidance = (
            f"SELECT g.person_id, g.detail FROM {SupportPlans.marks} g "
            "WHERE g.measure = 'guidance' "
            f"AND g.tenant_id = %(tenant)s AND {_in_force('g')} AND {known_at('g')}"
        )
        return (
            f"SELECT {record}, p.team_id FROM {table} m "
            f"JOIN ({self._placed()}) p ON p.person_id = m.person_id "
            f"LEFT JOIN ({guidance}) g ON g.person_id = m.person_id "
            f"WHERE {where} AND (g.detail IS NULL OR NOT {contained})"
        )

    def _unsigned_writes(self) -> str:
        """Plan changes and evidence notes written without a current sign-off in the technique
        they rely on (projections.practice), counted in the writer's team of the day."""
        month = self._month("w.effective_at")
        return (
            "SELECT w.record_id, w.person_id, COALESCE(w.technique, '') AS item_key, "
            "w.effective_on AS on_date, w.writer_name AS detail, "
            "w.effective_at AS effective_from, w.record_type, s.team_id, "
            f"{month} AS month, NULL AS kind FROM practice_writes w "
            f"JOIN {Staff.marks} s ON s.record_id = w.writer_record_id "
            f"AND s.measure = 'staff_working' AND {self._staff_scope('s')} AND {known_at('s')} "
            f"AND {_in_force('s', at='w.effective_at')} "
            f"WHERE {UNSIGNED} AND w.effective_at >= %(window_from)s "
            "AND w.effective_at < %(window_end)s"
        )

    def _without_sign_off(self, record: str, table: str, where: str) -> str:
        current = (
            f"SELECT 1 FROM {table} s WHERE s.record_id = m.record_id "
            f"AND s.measure = 'signed_off' AND {_in_force('s')} AND {known_at('s')} "
            "AND s.on_date >= %(today)s"
        )
        return (
            f"SELECT {record}, m.team_id, CASE WHEN EXISTS ({current}) THEN 1 ELSE 0 END "
            f"AS signed_off FROM {table} m WHERE {self._staff_scope('m')} AND {where}"
        )

    # -- scope ---------------------------------------------------------------------------------

    def _placed(self) -> str:
        """The people the scope supported at the moment, with their team."""
        # (a person's placement is their own record's mark: found by its key)
        return (
            f"SELECT p.record_id AS person_id, p.team_id FROM {PLACEMENTS} p "
            f"WHERE {self._placement('p')} "
            f"AND {_in_force('p')}"
        )

    def _placed_when(self, alias: str) -> str:
        """Joined to a mark `m` of what happened: where the person was supported then."""
        return (
            f"{alias}.record_id = m.person_id AND {self._placement(alias)} "
            f"AND {_in_force(alias, at='m.effective_from')}"
        )

    def _placement(self, alias: str) -> str:
        team = f" AND {alias}.team_id = %(team)s" if self.scope.team_id is not None else ""
        return (
            f"{alias}.measure = 'placement' AND {alias}.tenant_id = %(tenant)s "
            f"AND {alias}.service_id = %(service)s{team} AND {known_at(alias)}"
        )

    def _staff_scope(self, alias: str) -> str:
        team = f" AND {alias}.team_id = %(team)s" if self.scope.team_id is not None else ""
        return f"{alias}.tenant_id = %(tenant)s AND {alias}.service_id = %(service)s{team}"

    def _contains(self, text: str, part: str) -> str:
        """SQL: whether the text contains the part (both already in the case compared)."""
        found = "instr" if self.tx.dialect == "sqlite" else "strpos"
        return f"{found}({text}, {part}) > 0"

    def _month(self, column: str) -> str:
        if self.tx.dialect == "sqlite":
            return f"substr({column}, 1, 7)"
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"


def _in_force(alias: str, at: str = "%(as_of)s") -> str:
    """SQL: the row's span of effective time holds `at` (by default, the moment asked)."""
    return (
        f"{alias}.effective_from <= {at} "
        f"AND ({alias}.effective_to IS NULL OR {alias}.effective_to > {at})"
    )
