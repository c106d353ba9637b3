"""people, the person index: each person supported as their record now stands and every state
it has been in (so the service supporting them, at any moment), and whose every record of every
kind is (its person and provider, from its first event's envelope and its declaration). Scoping,
the access log, the change feed and every service-wide list find a record's person and service
here: records follow a person who moves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from domain.catalogue import DECLARED, record_type
from domain.person import Person
from domain.timeline import is_correction
from projections.base import (
    Batch,
    Event,
    Index,
    Row,
    Table,
    Tables,
    Transaction,
    handles,
    upsert,
)
from projections.event_records import document_text, jsonable
from projections.folding import RecordTable
from projections.marks import Mark, marks_table
from projections.states import Moment, latest_states, parameters, state_at, states_table

BEGINNINGS = tuple(kind.begun_by for kind in DECLARED)
CONSENT_EVENTS = (
    Person.SharingConsentGiven,  # type: ignore[attr-defined]
    Person.SharingConsentWithdrawn,  # type: ignore[attr-defined]
)
OWNER_COLUMNS = ("record_id", "record_type", "person_id", "tenant_id", "service_id")


class People(RecordTable):
    name = "people"
    version = 6  # 6: consents to share
    aggregate = Person
    key = "person_id"
    keep_on_update = ("registered_position", "registered_at")
    states = "person_states"
    state_columns = ("person_id", "tenant_id", "service_id", "team_id", "name", "document",
                     "version", "updated_at")  # fmt: skip
    marks = "person_marks"  # where each person was supported: governance's scope
    tables = (
        Table(
            "people",
            """person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            service_id TEXT NOT NULL,
            team_id TEXT,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            version INTEGER NOT NULL,
            registered_position BIGINT NOT NULL,
            registered_at {timestamp} NOT NULL,
            updated_at {timestamp} NOT NULL,
            aggregate_state {blob} NOT NULL""",
            primary_key="person_id",
            indexes=(
                Index("by_service", "service_id, registered_position"),
                Index("by_tenant", "tenant_id, registered_position"),
            ),
        ),
        states_table(
            "person_states",
            "person_id",
            """person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            service_id TEXT NOT NULL,
            team_id TEXT,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at {timestamp} NOT NULL""",
            # A service's members at a moment: everyone who was ever in it, then checked.
            Index("by_service", "tenant_id, service_id, effective_from"),
        ),
        Table(
            "record_owners",
            """record_id TEXT NOT NULL,
            record_type TEXT NOT NULL,
            person_id TEXT,
            tenant_id TEXT NOT NULL,
            service_id TEXT""",
            primary_key="record_id",
            indexes=(Index("by_person", "person_id, record_type"),),
        ),
        marks_table("person_marks"),
        Table(
            "sharing_consents",
            """person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            consent_id TEXT NOT NULL,
            recipient TEXT NOT NULL,
            purpose TEXT NOT NULL,
            valid_from TEXT NOT NULL,
            valid_until TEXT,
            withdrawn_at {timestamp}""",
            primary_key="person_id, consent_id",
            indexes=(Index("by_recipient", "recipient, person_id"),),
        ),
    )

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        people = [(position, event) for position, event in batch if isinstance(event, Person.Event)]
        if people:
            super().apply(tx, tables, people)
            self._keep_consents(tx, tables, people)
        begun = [event for _, event in batch if isinstance(event, BEGINNINGS)]
        tx.copy(tables["record_owners"], OWNER_COLUMNS, (owner(event) for event in begun))

    def _keep_consents(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        """Each person's consents to share as they now stand, rewritten whenever one is given
        or withdrawn (or a fact of theirs is corrected), read from the person as folded."""
        touched = [event for _, event in batch
                   if isinstance(event, CONSENT_EVENTS) or is_correction(event)]  # fmt: skip
        changed = sorted({str(event.originator_id) for event in touched})
        if not changed:
            return
        self.flush(tx, tables)  # a rebuild keeps rows back: the person as folded, written
        table, consents = tables["sharing_consents"], []
        for person_id in changed:
            tx.execute(f"DELETE FROM {table} WHERE person_id = %(id)s", {"id": person_id})
            row = tx.fetchone(f"SELECT version, aggregate_state FROM {tables['people']} "
                              "WHERE person_id = %(id)s", {"id": person_id})  # fmt: skip
            if row is None:
                continue
            person: Any = self.codec.decode(person_id, row["version"],
                                            bytes(row["aggregate_state"]))  # fmt: skip
            consents += [{"person_id": person_id, "tenant_id": person.tenant_id,
                          "consent_id": c.consent_id, "recipient": c.recipient,
                          "purpose": c.purpose, "valid_from": c.valid_from.isoformat(),
                          "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                          "withdrawn_at": _instant(c.withdrawn_at)}
                         for c in getattr(person, "sharing_consents", {}).values()]  # fmt: skip
        if consents:
            tx.executemany(upsert(table, "person_id, consent_id", list(consents[0])), consents)

    @handles(*BEGINNINGS)
    def _began(self, before: Any, event: Event, position: int) -> None:
        """Every record's first event names whose it is (see `apply`)."""

    def marks_of(self, person: Person) -> list[Mark]:
        return [Mark("placement", service_id=person.service_id, team_id=person.team_id)]

    def person_of(self, person: Person) -> str:
        return str(person.id)

    def row(self, person: Person, first_position: int, last_event: Event) -> Row:
        return {
            "person_id": str(person.id),
            "tenant_id": person.tenant_id,
            "service_id": person.service_id,
            "team_id": person.team_id,
            "name": person.name,
            "document": document_text(document(person)),
            "version": person.version,
            "registered_position": first_position,
            "registered_at": person.created_on,
            "updated_at": person.modified_on,
        }


def owner(event: Any) -> tuple[str | None, ...]:
    """Whose record an event begins: its kind, person, provider, and service (for a record
    about a service rather than a person)."""
    declared = record_type(event)
    service = getattr(event, declared.service) if declared.service else None
    return (str(event.originator_id), declared.name, declared.person_of(event),
            event.envelope.tenant_id, service)  # fmt: skip


def document(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "dateOfBirth": jsonable(person.date_of_birth),
        "serviceId": person.service_id,
        "teamId": person.team_id,
        "advocate": jsonable(person.advocate),
        "consentToShare": jsonable(person.consent_to_share),
    }


# -- queries ---------------------------------------------------------------------------------


def get_person(tx: Transaction, person_id: str, moment: Moment) -> Row | None:
    if not moment.now:
        state = state_at(tx, "person_states", "person_id", person_id, moment)
        return state and _registered(tx, state)
    return tx.fetchone("SELECT * FROM people WHERE person_id = %(id)s", {"id": person_id})


def person_scope(tx: Transaction, person_id: str) -> Row | None:
    """The provider and the service a person is now supported by: whose reach their records
    are in."""
    query = "SELECT tenant_id, service_id FROM people WHERE person_id = %(id)s"
    return tx.fetchone(query, {"id": person_id})


def owners(tx: Transaction, record_ids: Collection[str]) -> dict[str, Row]:
    """For each record (of any kind), its person, provider, and the service now supporting the
    person (or the record's own service): whose reach it is in. Records not indexed yet are
    left out."""
    found: dict[str, Row] = {}
    listed = sorted(record_ids)
    for start in range(0, len(listed), 500):
        names = {f"r{n}": record_id for n, record_id in enumerate(listed[start : start + 500])}
        rows = tx.fetchall(
            "SELECT o.record_id, o.record_type, o.person_id, o.tenant_id, "
            "COALESCE(p.service_id, o.service_id) AS service_id FROM record_owners o "
            "LEFT JOIN people p ON p.person_id = o.person_id "
            f"WHERE o.record_id IN ({', '.join(f'%({name})s' for name in names)})",
            names,
        )
        found.update((row["record_id"], row) for row in rows)
    return found


def owner_of(tx: Transaction, record_id: str) -> Row | None:
    return owners(tx, [record_id]).get(record_id)


def members(moment: Moment) -> str:
    """SQL selecting the people a service (`%(service)s` of `%(tenant)s`) supported at the
    moment, as a column `person_id`: records follow a person who moves. For an integration
    client (`moment.shared_with`), only those who now consent to share with it."""
    if moment.now:
        found = ("SELECT m.person_id FROM people m WHERE m.tenant_id = %(tenant)s "
                 "AND m.service_id = %(service)s")  # fmt: skip
    else:
        found = (
            f"SELECT m.person_id FROM ({latest_states('person_states', 'person_id')}) m "
            "WHERE m.tenant_id = %(tenant)s AND m.service_id = %(service)s"
        )
    return found + consenting(moment, "m")


def consenting(moment: Moment, alias: str) -> str:
    """SQL: ` AND` the person `alias.person_id` now consents to share with the integration
    client the moment is read for (nothing, for anyone else)."""
    if moment.shared_with is None:
        return ""
    return (
        f" AND {alias}.person_id IN (SELECT c.person_id FROM sharing_consents c "
        f"WHERE {sharing_in_force('c', moment.shared_with)})"
    )


def people_page(
    tx: Transaction,
    tenant_id: str,
    service_id: str | None,
    after: int,
    first: int,
    moment: Moment,
    reach: Collection[str] | None = None,
) -> list[Row]:
    """People in registration order (stable under edits), one row more than asked; at a
    moment, those whose record had begun and was known then, in the service they were in.
    `reach`: only people now supported by one of these services (None: any)."""
    if reach is not None and not reach:
        return []
    service_filter = "AND {}service_id = %(service)s" if service_id else ""
    reached = sorted(reach or ())
    params: dict[str, Any] = {
        "tenant": tenant_id,
        "service": service_id,
        "after": after,
        "limit": first + 1,
    } | {f"r{i}": s for i, s in enumerate(reached)}
    if reach is not None:
        service_filter += f" AND p.service_id IN ({_listed(len(reached))})"
    service_filter += consenting(moment, "p")
    if moment.now:
        return tx.fetchall(
            f"SELECT * FROM people p WHERE tenant_id = %(tenant)s "
            f"AND registered_position > %(after)s {service_filter.format('p.')} "
            "ORDER BY registered_position LIMIT %(limit)s",
            {**params, **parameters(moment)},
        )
    return tx.fetchall(
        "SELECT s.*, p.registered_position, p.registered_at "
        f"FROM ({latest_states('person_states', 'person_id')}) s "
        "JOIN people p ON p.person_id = s.person_id "
        f"WHERE p.tenant_id = %(tenant)s AND p.registered_position > %(after)s "
        f"{service_filter.format('s.')} "
        "ORDER BY p.registered_position LIMIT %(limit)s",
        {**params, **parameters(moment)},
    )


def _listed(count: int) -> str:
    return ", ".join(f"%(r{i})s" for i in range(count))


def _registered(tx: Transaction, state: Row) -> Row:
    """A past state, with when the person was registered (which no later change alters)."""
    registered = tx.fetchone(
        "SELECT registered_position, registered_at FROM people WHERE person_id = %(id)s",
        {"id": state["person_id"]},
    )
    return {**state, **(registered or {})}


def records_of(tx: Transaction, person_id: str, kinds: Iterable[str]) -> list[str]:
    """The ids of a person's records of these kinds, in the order they were indexed."""
    wanted = sorted(kinds)
    names = {f"k{n}": kind for n, kind in enumerate(wanted)}
    rows = tx.fetchall(
        "SELECT record_id FROM record_owners WHERE person_id = %(person)s "
        f"AND record_type IN ({', '.join(f'%({name})s' for name in names)}) ORDER BY record_id",
        {"person": person_id, **names},
    )
    return [row["record_id"] for row in rows]


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def consented(
    tx: Transaction, person_ids: Collection[str], recipients: Collection[str]
) -> set[str]:
    """Which of these people now consent to share with one of the recipients (an integration
    client's id, or its organisation's): a consent given, begun, not ended, not withdrawn."""
    if not person_ids or not recipients:
        return set()
    found: set[str] = set()
    listed = sorted(person_ids)
    for start in range(0, len(listed), 500):
        names = {f"p{n}": person for n, person in enumerate(listed[start : start + 500])}
        rows = tx.fetchall(
            f"SELECT DISTINCT c.person_id FROM sharing_consents c "
            f"WHERE c.person_id IN ({', '.join(f'%({name})s' for name in names)}) "
            f"AND {sharing_in_force('c', recipients)}",
            {**names, **sharing_parameters(recipients)},
        )
        found |= {row["person_id"] for row in rows}
    return found


def sharing_in_force(alias: str, recipients: Collection[str]) -> str:
    """SQL: the consent row `alias` lets one of the recipients read now (its parameters come
    from `sharing_parameters`)."""
    names = ", ".join(f"%(recipient{n})s" for n in range(len(recipients)))
    return (
        f"{alias}.recipient IN ({names}) AND {alias}.valid_from <= %(sharing_today)s "
        f"AND ({alias}.valid_until IS NULL OR {alias}.valid_until >= %(sharing_today)s) "
        f"AND ({alias}.withdrawn_at IS NULL OR {alias}.withdrawn_at > %(sharing_now)s)"
    )


def sharing_parameters(recipients: Collection[str]) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"sharing_today": now.date().isoformat(), "sharing_now": now,
            **{f"recipient{n}": r for n, r in enumerate(sorted(recipients))}}  # fmt: skip
