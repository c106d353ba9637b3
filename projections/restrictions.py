"""restrictions, restriction_deadlines and restrictive_practice_trend: every restriction of a
person's rights or freedom as it stands; every review-by date it has had (each imposition and
review opens one, the next review meets it), so the review-by in force on any date, and the days
overdue then, are one query; and per service per month, how many were imposed, reviewed on time
or late, reduced and lifted (overdue is counted from the deadlines, as of the day asked).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from domain.restriction import IN_FORCE, LIFTED, Restriction, ReviewOutcome
from projections.base import Batch, Index, ReadModel, Row, Table, Tables, Transaction, handles

R: Any = Restriction
TREND_COUNTS = ("imposed", "reviewed_on_time", "reviewed_late", "reduced", "lifted")


class RestrictivePractice(ReadModel):
    name = "restrictive_practice"
    version = 1
    tables: ClassVar[tuple[Table, ...]] = (
        Table(
            "restrictions",
            """restriction_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            service_id TEXT,
            what TEXT NOT NULL,
            why TEXT NOT NULL,
            basis TEXT NOT NULL,
            basis_detail TEXT,
            proportionality TEXT NOT NULL,
            agreed_by TEXT NOT NULL,
            risk_decision_id TEXT,
            incident_id TEXT,
            imposed_at {timestamp} NOT NULL,
            imposed_on TEXT NOT NULL,
            status TEXT NOT NULL,
            review_by TEXT NOT NULL,
            last_reviewed_at {timestamp},
            last_outcome TEXT,
            lifted_at {timestamp},
            lifted_on TEXT""",
            primary_key="restriction_id",
            indexes=(
                Index("by_person", "person_id, imposed_on"),
                Index("by_service", "tenant_id, service_id, status, review_by"),
            ),
        ),
        Table(
            "restriction_deadlines",
            """restriction_id TEXT NOT NULL,
            opened_position BIGINT NOT NULL,
            tenant_id TEXT NOT NULL,
            service_id TEXT,
            opened_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            met_on TEXT,
            outcome TEXT""",
            primary_key="restriction_id, opened_position",
            indexes=(Index("by_service", "tenant_id, service_id, due_on"),),
        ),
        Table(
            "restrictive_practice_trend",
            """tenant_id TEXT NOT NULL,
            service_id TEXT NOT NULL,
            month TEXT NOT NULL,
            imposed INTEGER NOT NULL,
            reviewed_on_time INTEGER NOT NULL,
            reviewed_late INTEGER NOT NULL,
            reduced INTEGER NOT NULL,
            lifted INTEGER NOT NULL""",
            primary_key="tenant_id, service_id, month",
        ),
    )

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        # A restriction changes a few times a year: each event is written as it comes, so a
        # later event in the batch sees the earlier ones.
        for position, event in batch:
            self.handler(event)(self, tx, tables, event, position)

    @handles(R.Imposed)
    def _imposed(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        terms, envelope = event.terms, event.envelope
        row = {"restriction_id": str(event.originator_id), "person_id": event.person_id,
               "tenant_id": envelope.tenant_id, "service_id": envelope.service_id,
               "what": terms.what, "why": terms.why, "basis": str(terms.basis),
               "basis_detail": terms.basis_detail, "proportionality": terms.proportionality,
               "agreed_by": terms.agreed_by, "risk_decision_id": terms.risk_decision_id,
               "incident_id": terms.incident_id, "imposed_at": envelope.effective_at,
               "imposed_on": envelope.effective_at.date().isoformat(), "status": IN_FORCE,
               "review_by": terms.review_by.isoformat()}  # fmt: skip
        names = ", ".join(row)
        values = ", ".join(f"%({name})s" for name in row)
        tx.execute(f"INSERT INTO {tables['restrictions']} ({names}) VALUES ({values})", row)
        _open(tx, tables, row, position, row["imposed_on"], terms.review_by)
        _count(tx, tables, envelope, "imposed")

    @handles(R.Reviewed)
    def _reviewed(self, tx: Transaction, tables: Tables, event: Any, position: int) -> None:
        envelope, restriction_id = event.envelope, str(event.originator_id)
        on = envelope.effective_at.date().isoformat()
        lifted = event.outcome == ReviewOutcome.LIFTED
        tx.execute(
            f"UPDATE {tables['restrictions']} SET status = %(status)s, "
            "review_by = %(review_by)s, last_reviewed_at = %(at)s, last_outcome = %(outcome)s, "
            "lifted_at = %(lifted_at)s, lifted_on = %(lifted_on)s WHERE restriction_id = %(id)s",
            {"status": LIFTED if lifted else IN_FORCE, "at": envelope.effective_at,
             "review_by": (event.was_due_by if lifted else event.next_review_by).isoformat(),
             "outcome": event.outcome, "lifted_at": envelope.effective_at if lifted else None,
             "lifted_on": on if lifted else None, "id": restriction_id},
        )  # fmt: skip
        tx.execute(
            f"UPDATE {tables['restriction_deadlines']} SET met_on = %(on)s, outcome = %(outcome)s "
            "WHERE restriction_id = %(id)s AND met_on IS NULL",
            {"on": on, "outcome": event.outcome, "id": restriction_id},
        )
        if not lifted:
            row = tx.fetchone(
                f"SELECT restriction_id, tenant_id, service_id FROM {tables['restrictions']} "
                "WHERE restriction_id = %(id)s",
                {"id": restriction_id},
            )
            if row is not None:
                _open(tx, tables, dict(row), position, on, event.next_review_by)
        on_time = envelope.effective_at.date() <= event.was_due_by
        _count(tx, tables, envelope, "reviewed_on_time" if on_time else "reviewed_late")
        if event.outcome in (ReviewOutcome.REDUCED, ReviewOutcome.LIFTED):
            _count(tx, tables, envelope, str(event.outcome))


def _open(tx: Transaction, tables: Tables, restriction: Row, position: int, opened_on: str,
          due_on: date) -> None:  # fmt: skip
    tx.execute(
        f"INSERT INTO {tables['restriction_deadlines']} (restriction_id, opened_position, "
        "tenant_id, service_id, opened_on, due_on) VALUES (%(id)s, %(position)s, %(tenant)s, "
        "%(service)s, %(opened)s, %(due)s)",
        {"id": restriction["restriction_id"], "position": position,
         "tenant": restriction["tenant_id"], "service": restriction["service_id"],
         "opened": opened_on, "due": due_on.isoformat()},
    )  # fmt: skip


def _count(tx: Transaction, tables: Tables, envelope: Any, column: str) -> None:
    """One more of `column` in the month the event took effect, in its service."""
    table = tables["restrictive_practice_trend"]
    counts = {name: int(name == column) for name in TREND_COUNTS}
    names = ", ".join(TREND_COUNTS)
    values = ", ".join(f"%({name})s" for name in TREND_COUNTS)
    tx.execute(
        f"INSERT INTO {table} (tenant_id, service_id, month, {names}) "
        f"VALUES (%(tenant)s, %(service)s, %(month)s, {values}) "
        f"ON CONFLICT (tenant_id, service_id, month) DO UPDATE SET "
        f"{column} = {table}.{column} + 1",
        {"tenant": envelope.tenant_id, "service": envelope.service_id or "",
         "month": envelope.effective_at.strftime("%Y-%m"), **counts},
    )  # fmt: skip


# -- queries ---------------------------------------------------------------------------------


def restrictions_of(tx: Transaction, person_id: str, status: str | None) -> list[Row]:
    status_filter = "AND status = %(status)s " if status else ""
    return tx.fetchall(
        f"SELECT * FROM restrictions WHERE person_id = %(person)s {status_filter}"
        "ORDER BY imposed_at, restriction_id",
        {"person": person_id, "status": status},
    )


def due_for_review(tx: Transaction, tenant_id: str, service_id: str, before: date) -> list[Row]:
    """Restrictions in force in the service whose review-by falls on or before `before`."""
    return tx.fetchall(
        "SELECT * FROM restrictions WHERE tenant_id = %(tenant)s AND service_id = %(service)s "
        "AND status = %(status)s AND review_by <= %(before)s ORDER BY review_by, restriction_id",
        {"tenant": tenant_id, "service": service_id, "status": IN_FORCE,
         "before": before.isoformat()},
    )  # fmt: skip


def in_force_on(tx: Transaction, tenant_id: str, service_id: str, on: date) -> list[Row]:
    """Restrictions in force in the service on a date, each with the review-by in force then
    (the deadline opened last by that date) and whether that deadline was met by then."""
    return tx.fetchall(
        """SELECT r.*, d.due_on AS due_on_then, d.met_on AS met_on FROM restrictions r
        JOIN restriction_deadlines d ON d.restriction_id = r.restriction_id
        WHERE r.tenant_id = %(tenant)s AND r.service_id = %(service)s
          AND r.imposed_on <= %(on)s AND (r.lifted_on IS NULL OR r.lifted_on > %(on)s)
          AND d.opened_position = (SELECT MAX(e.opened_position) FROM restriction_deadlines e
                                   WHERE e.restriction_id = r.restriction_id
                                     AND e.opened_on <= %(on)s)
        ORDER BY d.due_on, r.restriction_id""",
        {"tenant": tenant_id, "service": service_id, "on": on.isoformat()},
    )


def trend(tx: Transaction, tenant_id: str, service_id: str, first: str, last: str,
          today: date) -> list[Row]:  # fmt: skip
    """Per month from `first` to `last` (YYYY-MM) the counts kept by events, and the
    deadlines falling due that month that were met late or not met by `today` (once due)."""
    params = {"tenant": tenant_id, "service": service_id, "first": first, "last": last,
              "today": today.isoformat(), "from": f"{first}-01", "to": f"{last}-31"}  # fmt: skip
    kept = tx.fetchall(
        "SELECT * FROM restrictive_practice_trend WHERE tenant_id = %(tenant)s "
        "AND service_id = %(service)s AND month >= %(first)s AND month <= %(last)s",
        params,
    )
    missed = tx.fetchall(
        "SELECT due_on FROM restriction_deadlines WHERE tenant_id = %(tenant)s "
        "AND service_id = %(service)s AND due_on >= %(from)s AND due_on <= %(to)s "
        "AND due_on < %(today)s AND (met_on IS NULL OR met_on > due_on)",
        params,
    )
    months: dict[str, Row] = {row["month"]: dict(row) for row in kept}
    overdue: dict[str, int] = {}
    for row in missed:
        month = str(row["due_on"])[:7]
        overdue[month] = overdue.get(month, 0) + 1
    return [{**months.get(month, dict.fromkeys(TREND_COUNTS, 0)), "month": month,
             "overdue": overdue.get(month, 0)} for month in _months(first, last)]  # fmt: skip


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
