"""people: each person supported as their record now stands, listed per service."""

from __future__ import annotations

from typing import Any

from domain.person import Person
from projections.base import Event, Index, Row, Table, Transaction
from projections.event_records import dumps, jsonable
from projections.folding import RecordTable


class People(RecordTable):
    name = "people"
    version = 2
    aggregate = Person
    key = "person_id"
    keep_on_update = ("registered_position", "registered_at")
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
            registered_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            aggregate_state {blob} NOT NULL""",
            primary_key="person_id",
            indexes=(Index("by_service", "service_id, registered_position"),),
        ),
    )

    def row(self, person: Person, first_position: int, last_event: Event) -> Row:
        return {
            "person_id": str(person.id),
            "tenant_id": person.tenant_id,
            "service_id": person.service_id,
            "team_id": person.team_id,
            "name": person.name,
            "document": dumps(document(person)),
            "version": person.version,
            "registered_position": first_position,
            "registered_at": person.created_on.isoformat(),
            "updated_at": person.modified_on.isoformat(),
            "aggregate_state": self.codec.encode(person),
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


def get_person(tx: Transaction, person_id: str) -> Row | None:
    return tx.fetchone("SELECT * FROM people WHERE person_id = %(id)s", {"id": person_id})


def people_page(tx: Transaction, service_id: str | None, after: int, first: int) -> list[Row]:
    """People in registration order (stable under edits), one row more than asked."""
    service_filter = "AND service_id = %(service)s" if service_id else ""
    return tx.fetchall(
        f"SELECT * FROM people WHERE registered_position > %(after)s {service_filter} "
        "ORDER BY registered_position LIMIT %(limit)s",
        {"service": service_id, "after": after, "limit": first + 1},
    )
