"""Governance's tallies: each measure's figure kept as marks change, so a dashboard question sums
a few rows per team instead of counting every person's marks (projections.governance_query
counts them, for what the tallies do not keep).

Each measure of a person's records is a product of rows (projections.tally_terms): a
combination of rows adds +1 where the span it counts begins and -1 where it ends (a point adds
+1), in the team of the placement, so the figure at a moment is the sum of what was added up to
it. The sums are kept
per month, day, hour and instant: a moment reads the months before its own, the days of its
month before its day, the hours of that day before its hour and the instants of its hour.

The tallies hold the rows that are the account of their moment now; a question asked as known
at an earlier time than the latest change they counted is counted from the marks instead.
A change to one row of a term pairs it with the other rows as they stand: every read model
writing marks tallies at the end of its batch, one at a time (a lock), so the other rows it
reads are those already tallied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import product
from typing import Any
from uuid import uuid4

from projections import tracking
from projections.base import Index, Row, Table, Transaction
from projections.governance_measures import MEASURES, Measure
from projections.governance_query import Phrases
from projections.marks import MARK_COLUMNS, Change, instant, mark_row
from projections.settings import governance_settings
from projections.states import Moment
from projections.tally_terms import (
    MODELS,
    PLACED,
    PLACEMENT,
    SETTINGS_READ,
    TERMS,
    Term,
    contribution,
    phrases_from,
    phrases_of,
    tallied,
    text_of,
)

GRAINS = ("M", "D", "H")  # month, day, hour: summed; each instant is kept as it was added
CHUNK = 500  # people read at once, sums written at once

TALLIES = "governance_tallies"
INSTANTS = "governance_tally_instants"
INSTANT_COLUMNS = ("tenant_id", "service_id", "at", "team_id", "measure", "counter", "n",
                   "written")  # fmt: skip
TENANTS = "governance_tally_tenants"
COUNTED = "governance_tally_models"
TABLES = (
    Table(TALLIES, """tenant_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        team_id TEXT NOT NULL,
        measure TEXT NOT NULL,
        counter TEXT NOT NULL,
        grain TEXT NOT NULL,
        bucket {timestamp} NOT NULL,
        n INTEGER NOT NULL""",
          primary_key="tenant_id, service_id, grain, bucket, team_id, measure, counter",
          indexes=(Index("measure", "tenant_id, measure"),)),
    # What each change added at each instant (`written`: which change), appended, never summed:
    # a moment reads those of its own hour.
    Table(INSTANTS, """tenant_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        at {timestamp} NOT NULL,
        team_id TEXT NOT NULL,
        measure TEXT NOT NULL,
        counter TEXT NOT NULL,
        n INTEGER NOT NULL,
        written TEXT NOT NULL""",
          primary_key="tenant_id, service_id, at, team_id, measure, counter, written"),
    # What each provider's tallies were counted with: its settings, and its latest change.
    Table(TENANTS, """tenant_id TEXT NOT NULL,
        settings TEXT NOT NULL,
        last_recorded {timestamp}""", primary_key="tenant_id"),
    # The version of each read model whose marks the tallies count, as counted.
    Table(COUNTED, "model TEXT NOT NULL, version INTEGER NOT NULL", primary_key="model"),
)  # fmt: skip


def create(tx: Transaction) -> bool:
    """Creates the tallies' tables where missing; says whether they were missing."""
    exists = _exists(tx, COUNTED)
    for table in TABLES:
        table.create(tx, table.name)
        table.create_indexes(tx, table.name)
    return not exists


def _exists(tx: Transaction, table: str) -> bool:
    if tx.dialect == "sqlite":
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %(t)s"
    else:
        found = "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = %(t)s"
    return tx.fetchone(found, {"t": table}) is not None


def lock(tx: Transaction) -> None:
    """One writer of tallies at a time (SQLite has one writer already)."""
    if tx.dialect == "postgres":
        tx.execute("SELECT pg_advisory_xact_lock(hashtext('stepwise-tallies:' "
                   "|| current_schema()))")  # fmt: skip


# -- counting changes --------------------------------------------------------------------------


def tally(
    tx: Transaction, changes: Sequence[Change], only: Iterable[Measure] | None = None
) -> None:
    """Adds what each change to a person's mark rows changes in the tallies."""
    chosen = set(only) if only is not None else None
    by_mark: dict[str, list[Term]] = defaultdict(list)
    for term in TERMS:
        if chosen is None or term.measure in chosen:
            for factor in term.factors:
                by_mark[factor.mark].append(term)
    relevant = [c for c in changes if c[1]["person_id"] and c[1]["measure"] in by_mark]
    if not relevant:
        return
    lock(tx)
    tenants = {row["tenant_id"] for _, row, _ in relevant}
    counted_with = _settings(tx, tenants)
    deltas: dict[tuple[Any, ...], int] = defaultdict(int)
    for start in range(0, len(relevant), CHUNK):
        chunk = relevant[start : start + CHUNK]
        others = _rows_of(tx, chunk, by_mark)
        for sign, row, _ in chunk:
            for term in by_mark[row["measure"]]:
                _pair(term, sign, row, others, counted_with[row["tenant_id"]], deltas)
    _add(tx, deltas)
    latest: dict[str, datetime] = {}
    for _, row, at in relevant:
        latest[row["tenant_id"]] = max(at, latest.get(row["tenant_id"], at))
    for tenant, at in latest.items():
        tx.execute(f"UPDATE {TENANTS} SET last_recorded = %(at)s WHERE tenant_id = %(t)s "
                   "AND (last_recorded IS NULL OR last_recorded < %(at)s)",
                   {"t": tenant, "at": at})  # fmt: skip


def _settings(tx: Transaction, tenants: set[str]) -> dict[str, Phrases]:
    found = {}
    for tenant in sorted(tenants):
        row = tx.fetchone(f"SELECT settings FROM {TENANTS} WHERE tenant_id = %(t)s", {"t": tenant})
        if row is None:
            current = phrases_of(governance_settings(tx, tenant, Moment.current()))
            tx.execute(f"INSERT INTO {TENANTS} (tenant_id, settings) VALUES (%(t)s, %(s)s)",
                       {"t": tenant, "s": text_of(current)})  # fmt: skip
            found[tenant] = current
        else:
            found[tenant] = phrases_from(row["settings"])
    return found


def _rows_of(tx: Transaction, chunk: Sequence[Change],
             by_mark: dict[str, list[Term]]) -> dict[tuple[str, str], list[Row]]:  # fmt: skip
    """The rows now the account of their moment of the other factors of each changed row's
    terms, by person and mark."""
    wanted: dict[str, set[str]] = defaultdict(set)
    people: dict[str, set[str]] = defaultdict(set)
    for _, row, _ in chunk:
        for term in by_mark[row["measure"]]:
            for factor in term.factors:
                if factor.mark != row["measure"]:
                    wanted[factor.table].add(factor.mark)
                    people[factor.table].add(row["person_id"])
    found: dict[tuple[str, str], list[Row]] = defaultdict(list)
    columns = ", ".join(MARK_COLUMNS)
    for table, marks in wanted.items():
        params: dict[str, Any] = {}
        listed = []
        for n, person in enumerate(sorted(people[table])):
            params[f"p{n}"] = person
            listed.append(f"%(p{n})s")
        named = []
        for n, mark in enumerate(sorted(marks)):
            params[f"m{n}"] = mark
            named.append(f"%(m{n})s")
        rows = tx.fetchall(
            f"SELECT {columns} FROM {table} WHERE person_id IN ({', '.join(listed)}) "
            f"AND measure IN ({', '.join(named)}) AND recorded_to IS NULL",
            params,
        )
        for row in rows:
            found[(row["person_id"], row["measure"])].append(mark_row(row))
    return found


def _pair(term: Term, sign: int, row: Row, others: dict[tuple[str, str], list[Row]],
          settings: Phrases, deltas: dict[tuple[Any, ...], int]) -> None:  # fmt: skip
    choices = [[row] if factor.mark == row["measure"] else others.get((row["person_id"],
               factor.mark), []) for factor in term.factors]  # fmt: skip
    for combination in product(*choices):
        placement = combination[-1]
        if placement["service_id"] is None:
            continue
        key = (row["tenant_id"], placement["service_id"], placement["team_id"] or "",
               term.measure.name if term.measure else PLACED)  # fmt: skip
        for counter, at, n in contribution(term, combination, settings):
            deltas[(*key, counter, at)] += sign * term.sign * n


def bucket(at: datetime, grain: str) -> datetime:
    at = at.astimezone(UTC)
    if grain == "M":
        return datetime(at.year, at.month, 1, tzinfo=UTC)
    if grain == "D":
        return datetime(at.year, at.month, at.day, tzinfo=UTC)
    if grain == "H":
        return datetime(at.year, at.month, at.day, at.hour, tzinfo=UTC)
    return at


def _add(tx: Transaction, deltas: dict[tuple[Any, ...], int]) -> None:
    sums: dict[tuple[Any, ...], int] = defaultdict(int)
    instants, written = [], uuid4().hex
    for (tenant, service, team, measure, counter, at), n in deltas.items():
        if n:
            instants.append((tenant, service, at, team, measure, counter, n, written))
            for grain in GRAINS:
                sums[(tenant, service, grain, bucket(at, grain), team, measure, counter)] += n
    if instants:
        tx.copy(INSTANTS, INSTANT_COLUMNS, instants)
    rows = [(*key, n) for key, n in sums.items() if n]
    for start in range(0, len(rows), CHUNK):
        _add_sums(tx, rows[start : start + CHUNK])


# The columns a sum is written in, with their PostgreSQL types.
SUMMED = {"tenant_id": "text", "service_id": "text", "grain": "text", "bucket": "timestamptz",
          "team_id": "text", "measure": "text", "counter": "text", "n": "int"}  # fmt: skip
ADD_SUMS = (
    f"INSERT INTO {TALLIES} ({', '.join(SUMMED)}) {{rows}} "
    f"ON CONFLICT ({', '.join(list(SUMMED)[:-1])}) DO UPDATE SET n = {TALLIES}.n + excluded.n"
)
# PostgreSQL is sent the rows as one array per column, so the statement is the same whatever
# their number and the driver converts it once; a statement of many VALUES was converted afresh
# each time, which took longer than PostgreSQL took to run it (a tenth of a rebuild).
ADD_SUMS_POSTGRES = ADD_SUMS.format(
    rows=f"SELECT * FROM unnest({', '.join(f'%({c})s::{t}[]' for c, t in SUMMED.items())})"
)
ADD_SUMS_SQLITE = ADD_SUMS.format(rows=f"VALUES ({', '.join(f'%({c})s' for c in SUMMED)})")


def _add_sums(tx: Transaction, rows: Sequence[tuple[Any, ...]]) -> None:
    if tx.dialect == "postgres":
        columns = [list(values) for values in zip(*rows, strict=True)]
        tx.execute(ADD_SUMS_POSTGRES, dict(zip(SUMMED, columns, strict=True)))
    else:
        tx.executemany(ADD_SUMS_SQLITE, [dict(zip(SUMMED, row, strict=True)) for row in rows])


# -- counting afresh -----------------------------------------------------------------------


def recount(
    tx: Transaction, versions: dict[str, int], tenant: str | None = None,
    only: Sequence[Measure] | None = None, settings: Phrases | None = None,
) -> None:  # fmt: skip
    """Counts the tallies afresh from the marks (of one tenant, and some measures, if given):
    every term holds a placement, so each placement row, paired with the rest, counts them
    all."""
    lock(tx)
    where, params = " WHERE tenant_id = %(t)s" if tenant else "", {"t": tenant}
    for table in (TALLIES, INSTANTS):
        if only is None:
            tx.execute(f"DELETE FROM {table}{where}", params)
        else:
            for measure in only:
                tx.execute(f"DELETE FROM {table} WHERE tenant_id = %(t)s AND measure = %(m)s",
                           {"t": tenant, "m": measure.name})  # fmt: skip
    if tenant is not None and settings is not None:
        tx.execute(f"DELETE FROM {TENANTS} WHERE tenant_id = %(t)s", params)
        tx.execute(f"INSERT INTO {TENANTS} (tenant_id, settings, last_recorded) "
                   f"VALUES (%(t)s, %(s)s, NULL)", {**params, "s": text_of(settings)})  # fmt: skip
    elif tenant is None:
        tx.execute(f"DELETE FROM {TENANTS}")
    placements = tx.fetchall(
        f"SELECT {', '.join(MARK_COLUMNS)} FROM {PLACEMENT.table} "
        f"WHERE measure = 'placement' AND recorded_to IS NULL"
        f"{' AND tenant_id = %(t)s' if tenant else ''} ORDER BY person_id", params,
    )  # fmt: skip
    rows = [mark_row(row) for row in placements]
    tally(tx, [(1, row, row["recorded_from"]) for row in rows], only)
    if tenant is None:
        _stamp_latest(tx)
        tx.execute(f"DELETE FROM {COUNTED}")
        tx.executemany(f"INSERT INTO {COUNTED} (model, version) VALUES (%(m)s, %(v)s)",
                       [{"m": m, "v": v} for m, v in versions.items() if m in MODELS])  # fmt: skip


def _stamp_latest(tx: Transaction) -> None:
    """Each tenant's latest change to the marks counted, since the tallies hold it."""
    tables = sorted({factor.table for term in TERMS for factor in term.factors})
    latest: dict[str, datetime] = {}
    for table in tables:
        for row in tx.fetchall(f"SELECT tenant_id, MAX(recorded_from) AS f, MAX(recorded_to) "
                               f"AS t FROM {table} GROUP BY tenant_id"):  # fmt: skip
            for value in (row["f"], row["t"]):
                if value is not None:
                    at = instant(value)
                    latest[row["tenant_id"]] = max(at, latest.get(row["tenant_id"], at))
    for tenant, at in latest.items():
        tx.execute(f"UPDATE {TENANTS} SET last_recorded = %(at)s WHERE tenant_id = %(t)s",
                   {"t": tenant, "at": at})  # fmt: skip


def settings_changed(tx: Transaction, tenant: str) -> None:
    """A provider's governance settings as they now stand: the measures reading them are counted
    afresh when they differ from those counted with."""
    now = phrases_of(governance_settings(tx, tenant, Moment.current()))
    lock(tx)
    row = tx.fetchone(f"SELECT settings, last_recorded FROM {TENANTS} WHERE tenant_id = %(t)s",
                      {"t": tenant})  # fmt: skip
    if row is None or phrases_from(row["settings"]) == now:
        if row is None:
            tx.execute(f"INSERT INTO {TENANTS} (tenant_id, settings) VALUES (%(t)s, %(s)s)",
                       {"t": tenant, "s": text_of(now)})  # fmt: skip
        return
    only = [m for m in MEASURES if tallied(m) and m.select in SETTINGS_READ]
    last = row["last_recorded"]
    recount(tx, {}, tenant, only, now)
    tx.execute(f"UPDATE {TENANTS} SET last_recorded = %(at)s WHERE tenant_id = %(t)s",
               {"t": tenant, "at": last})  # fmt: skip


def counted_afresh(tx: Transaction) -> bool:
    """Counts the tallies afresh unless they count the read models stored now; says whether
    it did."""
    lock(tx)  # (another process starting may be counting them: then they count the same)
    live = {name: status.version for name, status in tracking.statuses(tx).items()}
    stored = {row["model"]: row["version"] for row in tx.fetchall(f"SELECT * FROM {COUNTED}")}
    if stored == {name: version for name, version in live.items() if name in MODELS}:
        return False
    recount(tx, live)
    return True


def forget(tx: Transaction, model: str) -> None:
    """The read model's marks were swapped for others: the tallies no longer count them."""
    tx.execute(f"DELETE FROM {COUNTED} WHERE model = %(m)s", {"m": model})
