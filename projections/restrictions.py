"""restrictions: every restriction of a person's rights or freedom as it stands and every state
it has been in (so its review-by date in force at any moment, as recorded at any time); and each
imposition and review as a dated fact, so each month's restrictive practice in a service can be
counted as the record stood at any moment (a fact marked entered in error drops out from then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from domain.restriction import IN_FORCE, Restriction, ReviewOutcome
from projections.base import Event, Index, Row, Table, Tables, Transaction, handles, one_page
from projections.event_records import dumps
from projections.folding import RecordTable
from projections.marks import LATE, ON_TIME, Mark, marks_table, utc_day
from projections.people import members
from projections.states import Moment, latest_states, parameters, states_table

R: Any = Restriction
COLUMNS = """restriction_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    what TEXT NOT NULL,
    why TEXT NOT NULL,
    basis TEXT NOT NULL,
    basis_detail TEXT,
    proportionality TEXT NOT NULL,
    less_restrictive_options TEXT NOT NULL,
    agreed_by TEXT NOT NULL,
    risk_decision_id TEXT,
    incident_id TEXT,
    imposed_at {timestamp} NOT NULL,
    status TEXT NOT NULL,
    review_by TEXT NOT NULL,
    last_reviewed_at {timestamp},
    last_outcome TEXT,
    lifted_at {timestamp},
    version INTEGER NOT NULL,
    updated_at {timestamp} NOT NULL"""
STATE_COLUMNS = ("restriction_id", "person_id", "tenant_id", "what", "why", "basis",
                 "basis_detail", "proportionality", "less_restrictive_options", "agreed_by",
                 "risk_decision_id", "incident_id", "imposed_at", "status", "review_by",
                 "last_reviewed_at", "last_outcome", "lifted_at", "version",
                 "updated_at")  # fmt: skip
FACT_COLUMNS = ("restriction_id", "version", "person_id", "tenant_id", "kind", "outcome",
                "effective_at", "recorded_at", "was_due_by")  # fmt: skip
TREND_COUNTS = ("imposed", "reviewed_on_time", "reviewed_late", "reduced", "lifted")


@dataclass(frozen=True)
class Voided:
    restriction_id: str
    version: int
    at: Any


class Restrictions(RecordTable):
    name = "restrictions"
    version = 2
    aggregate = Restriction
    key = "restriction_id"
    states = "restriction_states"
    state_columns = STATE_COLUMNS
    marks = "restriction_marks"
    tables = (
        Table("restrictions", f"{COLUMNS}, aggregate_state {{blob}} NOT NULL",
              primary_key="restriction_id",
              indexes=(Index("by_person", "person_id"), Index("by_tenant", "tenant_id, status"))),
        # A service-wide read costs what the service holds: by person from its members.
        states_table("restriction_states", "restriction_id", COLUMNS,
                     Index("by_tenant", "tenant_id, effective_from"),
                     Index("by_person", "person_id, effective_from")),
        Table(
            "restriction_facts",
            """restriction_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            outcome TEXT,
            effective_at {timestamp} NOT NULL,
            recorded_at {timestamp} NOT NULL,
            was_due_by TEXT,
            voided_at {timestamp}""",
            primary_key="restriction_id, version",
            indexes=(Index("by_tenant", "tenant_id, effective_at"),),
        ),
        marks_table("restriction_marks"),
    )  # fmt: skip

    def marks_of(self, restriction: Restriction) -> list[Mark]:
        if restriction.status != IN_FORCE:
            return []
        what = restriction.terms.what
        marks = [Mark("restriction_in_force", on=restriction.review_by, detail=what)]
        if restriction.terms.incident_id:
            marks.append(Mark("restriction_after_incident", restriction.terms.incident_id,
                              detail=what))  # fmt: skip
        return marks

    def points(self, before: Restriction | None, event: Any) -> list[Mark]:
        item, name = str(event.originator_version), type(event).__name__
        if name == "Imposed":
            return [Mark("restriction_imposed", item, detail=event.terms.what)]
        if name != "Reviewed":
            return []
        held, due = utc_day(event.envelope.effective_at), event.was_due_by
        found = [Mark("restriction_review_held", item, due, ON_TIME if held <= due else LATE)]
        if event.outcome in (ReviewOutcome.REDUCED, ReviewOutcome.LIFTED):
            found.append(Mark(f"restriction_{event.outcome}", item, detail=event.justification
                              or event.what_changed or None))  # fmt: skip
        return found

    def row(self, restriction: Restriction, first_position: int, last_event: Event) -> Row:
        terms = restriction.terms
        return {
            "restriction_id": str(restriction.id), "person_id": restriction.person_id,
            "tenant_id": restriction.tenant_id, "what": terms.what, "why": terms.why,
            "basis": str(terms.basis), "basis_detail": terms.basis_detail,
            "proportionality": terms.proportionality,
            "less_restrictive_options": dumps(list(terms.less_restrictive_options)),
            "agreed_by": terms.agreed_by, "risk_decision_id": terms.risk_decision_id,
            "incident_id": terms.incident_id, "imposed_at": restriction.imposed_at,
            "status": restriction.status, "review_by": restriction.review_by.isoformat(),
            "last_reviewed_at": restriction.last_reviewed_at,
            "last_outcome": restriction.last_outcome, "lifted_at": restriction.lifted_at,
            "version": restriction.version, "updated_at": restriction.modified_on,
        }  # fmt: skip

    @handles(R.Imposed)
    def _imposed(self, before: None, event: Any, position: int) -> tuple[Any, ...]:
        return _fact(event, event.person_id, "imposed", None, None)

    @handles(R.Reviewed)
    def _reviewed(self, before: Restriction, event: Any, position: int) -> tuple[Any, ...]:
        return _fact(event, before.person_id, "reviewed", event.outcome, event.was_due_by)

    @handles(R.EnteredInError)
    def _entered_in_error(self, before: Any, event: Any, position: int) -> Voided:
        return Voided(str(event.originator_id), event.voided_version, event.timestamp)

    def write_more(self, tx: Transaction, tables: Tables, produced: Sequence[Any]) -> None:
        facts = tables["restriction_facts"]
        tx.copy(facts, FACT_COLUMNS, [fact for fact in produced if not isinstance(fact, Voided)])
        voided = [vars(v) for v in produced if isinstance(v, Voided)]
        tx.executemany(f"UPDATE {facts} SET voided_at = %(at)s WHERE restriction_id = "
                       "%(restriction_id)s AND version = %(version)s", voided)  # fmt: skip


def _fact(event: Any, person_id: str, kind: str, outcome: str | None,
          was_due_by: date | None) -> tuple[Any, ...]:  # fmt: skip
    envelope = event.envelope
    return (str(event.originator_id), event.originator_version, person_id,
            envelope.tenant_id, kind, outcome, envelope.effective_at, event.timestamp,
            was_due_by.isoformat() if was_due_by else None)  # fmt: skip


# -- queries ---------------------------------------------------------------------------------


def _at(moment: Moment) -> str:
    """The restrictions as they stood at the moment, as recorded then (alias `r`): the
    current rows (but for their encoded records, which no read needs), or the states."""
    if moment.now:
        return f"(SELECT {', '.join(STATE_COLUMNS)} FROM restrictions) r"
    return f"({latest_states('restriction_states', 'restriction_id')}) r"


def restrictions_of(
    tx: Transaction, person_id: str, status: str | None, moment: Moment
) -> list[Row]:
    status_filter = "AND r.status = %(status)s " if status else ""
    return tx.fetchall(
        f"SELECT r.* FROM {_at(moment)} WHERE r.person_id = %(person)s {status_filter}"
        "ORDER BY r.imposed_at, r.restriction_id",
        {"person": person_id, "status": status, **parameters(moment)},
    )


def in_force(
    tx: Transaction, tenant_id: str, service_id: str, moment: Moment, due_by: date | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[Row]:  # fmt: skip
    """Restrictions in force at the moment for the people the service supported then, each
    with the review-by date in force then; only those due by `due_by`, if given, and only
    `limit` of them after the first `offset`, if given."""
    due = "AND r.review_by <= %(due)s " if due_by else ""
    page, paging = one_page(limit, offset)
    return tx.fetchall(
        f"SELECT r.* FROM {_at(moment)} WHERE r.tenant_id = %(tenant)s "
        f"AND r.status = %(in_force)s AND r.person_id IN ({members(moment)}) {due}"
        "ORDER BY r.review_by, r.restriction_id" + page,
        {"tenant": tenant_id, "service": service_id, "in_force": IN_FORCE,
         "due": due_by.isoformat() if due_by else None, **parameters(moment), **paging},
    )  # fmt: skip


def trend(tx: Transaction, tenant_id: str, service_id: str, first: str, last: str,
          moment: Moment) -> list[Row]:  # fmt: skip
    """Per month from `first` to `last` (YYYY-MM), for the people the service supported at the
    moment: restrictions imposed, reviewed on time or late, reduced and lifted, and review-by
    dates falling due that month that were met late or not met by then (once due)."""
    params = {"tenant": tenant_id, "service": service_id, "from": f"{first}-01",
              "to": f"{last}-31", "today": moment.as_of.date().isoformat(),
              **parameters(moment)}  # fmt: skip
    facts = tx.fetchall(
        "SELECT f.* FROM restriction_facts f WHERE f.tenant_id = %(tenant)s "
        f"AND f.person_id IN ({members(moment)}) AND f.effective_at <= %(as_of)s "
        "AND f.recorded_at <= %(known_at)s "
        "AND (f.voided_at IS NULL OR f.voided_at > %(known_at)s)",
        params,
    )
    unmet = in_force(tx, tenant_id, service_id, moment)
    months = {month: dict.fromkeys((*TREND_COUNTS, "overdue"), 0) for month in _months(first, last)}
    for fact in facts:
        _count(months, fact)
    for row in unmet:
        if str(row["review_by"]) < params["today"]:
            _add(months, str(row["review_by"])[:7], "overdue")
    return [{"month": month, **counts} for month, counts in months.items()]


def _count(months: dict[str, dict[str, int]], fact: Row) -> None:
    month = _instant(fact["effective_at"])[:7]
    if fact["kind"] == "imposed":
        _add(months, month, "imposed")
        return
    on, due = _instant(fact["effective_at"])[:10], str(fact["was_due_by"])
    _add(months, month, "reviewed_on_time" if on <= due else "reviewed_late")
    if on > due:
        _add(months, due[:7], "overdue")
    if fact["outcome"] in (ReviewOutcome.REDUCED, ReviewOutcome.LIFTED):
        _add(months, month, str(fact["outcome"]))


def _add(months: dict[str, dict[str, int]], month: str, column: str) -> None:
    if month in months:
        months[month][column] += 1


def _instant(value: Any) -> str:
    """An instant from a column (timestamptz, or UTC text on SQLite) as UTC ISO text."""
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else str(value)


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
