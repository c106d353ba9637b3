"""people: each person supported as their record now stands, listed per service."""

from __future__ import annotations

from typing import Any

from domain.person import Person
from projections.base import Event, FoldingProjection, Row, Transaction, blob_type
from projections.event_records import dumps, jsonable


class People(FoldingProjection):
    name = "people"
    tables = ("people",)
    aggregate_type = Person
    table = "people"
    key = "person_id"

    def create_tables(self, tx: Transaction) -> None:
        tx.execute(
            f"""
            CREATE TABLE IF NOT EXISTS people (
                person_id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                service_id TEXT NOT NULL,
                team_id TEXT,
                name TEXT NOT NULL,
                document TEXT NOT NULL,
                version INTEGER NOT NULL,
                registered_position BIGINT NOT NULL,
                registered_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                aggregate_state {blob_type(tx)} NOT NULL
            )
            """
        )
        tx.execute(
            "CREATE INDEX IF NOT EXISTS people_by_service "
            "ON people (service_id, registered_position)"
        )

    @staticmethod
    def document(person: Person) -> dict[str, Any]:
        return {
            "name": person.name,
            "dateOfBirth": jsonable(person.date_of_birth),
            "serviceId": person.service_id,
            "teamId": person.team_id,
            "advocate": jsonable(person.advocate),
            "consentToShare": jsonable(person.consent_to_share),
        }

    def write(
        self, tx: Transaction, event: Event, position: int, after: Person, before: dict[str, Any]
    ) -> None:
        tx.execute(
            """
            INSERT INTO people (person_id, tenant_id, service_id, team_id, name, document,
                version, registered_position, registered_at, updated_at, aggregate_state)
            VALUES (%(id)s, %(tenant)s, %(service)s, %(team)s, %(name)s, %(document)s,
                %(version)s, %(position)s, %(at)s, %(at)s, %(state)s)
            ON CONFLICT (person_id) DO UPDATE SET
                service_id = excluded.service_id, team_id = excluded.team_id,
                name = excluded.name, document = excluded.document, version = excluded.version,
                updated_at = excluded.updated_at, aggregate_state = excluded.aggregate_state
            """,
            {
                "id": str(after.id),
                "tenant": after.tenant_id,
                "service": after.service_id,
                "team": after.team_id,
                "name": after.name,
                "document": dumps(self.document(after)),
                "version": after.version,
                "position": position,
                "at": event.timestamp.isoformat(),
                "state": self.codec.encode(after),
            },
        )


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
