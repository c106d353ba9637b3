"""people: each person supported as their record now stands, listed per service, and every
state their record has been in."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from domain.person import Person
from projections.base import Event, Index, Row, Table, Transaction
from projections.event_records import document_text, jsonable
from projections.folding import RecordTable
from projections.states import Moment, latest_states, parameters, state_at, states_table


class People(RecordTable):
    name = "people"
    version = 3
    aggregate = Person
    key = "person_id"
    keep_on_update = ("registered_position", "registered_at")
    states = "person_states"
    state_columns = ("person_id", "tenant_id", "service_id", "team_id", "name", "document",
                     "version", "updated_at")  # fmt: skip
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
            indexes=(Index("by_service", "service_id, registered_position"),),
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
        ),
    )

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


def document(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "dateOfBirth": jsonable(person.date_of_birth),
        "serviceId": person.service_id,
        "teamId": person.team_id,
        "advocate": jsonable(person.advocate),
        "consentToShare": jsonable(person.consent_to_share),
    }


def get_person(tx: Transaction, person_id: str, moment: Moment) -> Row | None:
    if not moment.now:
        state = state_at(tx, "person_states", "person_id", person_id, moment)
        return state and _registered(tx, state)
    return tx.fetchone("SELECT * FROM people WHERE person_id = %(id)s", {"id": person_id})


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
        listed = ", ".join(f"%(r{i})s" for i in range(len(reached)))
        service_filter += f" AND p.service_id IN ({listed})"
    if moment.now:
        return tx.fetchall(
            f"SELECT * FROM people p WHERE tenant_id = %(tenant)s "
            f"AND registered_position > %(after)s {service_filter.format('p.')} "
            "ORDER BY registered_position LIMIT %(limit)s",
            params,
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


def _registered(tx: Transaction, state: Row) -> Row:
    """A past state, with when the person was registered (which no later change alters)."""
    registered = tx.fetchone(
        "SELECT registered_position, registered_at FROM people WHERE person_id = %(id)s",
        {"id": state["person_id"]},
    )
    return {**state, **(registered or {})}
