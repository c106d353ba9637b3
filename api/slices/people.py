"""People supported: one by id, or page by page per service."""

from __future__ import annotations

import json
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.common import day, plain_text, record_id, when
from api.context import Context
from api.pagination import Connection, check_page_size, connection, decode_cursor
from api.slices.support_plans import SupportPlan
from projections.base import Row
from projections.people import People, get_person, people_page

ContextInfo = Info[Context, None]


@strawberry.type
class Advocate:
    name: str
    relationship: str
    contact: str | None


@strawberry.type
class ConsentToShare:
    given: bool
    scope: str
    recorded_at: datetime


@strawberry.type(description="A person supported, as their record now stands.")
class Person:
    id: strawberry.ID
    name: str
    date_of_birth: date | None
    service_id: strawberry.ID
    team_id: strawberry.ID | None
    advocate: Advocate | None
    consent_to_share: ConsentToShare | None
    version: int
    registered_at: datetime
    updated_at: datetime

    @strawberry.field(description="The person's living support plan, if one is drafted")
    async def support_plan(self, info: ContextInfo) -> SupportPlan | None:
        row = await info.context.plans_by_person.load(str(self.id))
        return SupportPlan.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: Row) -> Person:
        document = json.loads(row["document"])
        advocate, consent = document["advocate"], document["consentToShare"]
        return cls(
            id=strawberry.ID(row["person_id"]),
            name=row["name"],
            date_of_birth=day(document["dateOfBirth"]),
            service_id=strawberry.ID(row["service_id"]),
            team_id=strawberry.ID(row["team_id"]) if row["team_id"] else None,
            advocate=Advocate(**advocate) if advocate else None,
            consent_to_share=ConsentToShare(
                given=consent["given"],
                scope=consent["scope"],
                recorded_at=when(consent["recordedAt"]),
            )
            if consent
            else None,
            version=row["version"],
            registered_at=when(row["registered_at"]),
            updated_at=when(row["updated_at"]),
        )


async def person(info: ContextInfo, id: strawberry.ID) -> Person | None:
    person_id = record_id(id, "id")
    row = await info.context.read(lambda tx: get_person(tx, person_id), People.name)
    return Person.from_row(row) if row else None


async def people(
    info: ContextInfo,
    service_id: strawberry.ID | None = None,
    first: int = 20,
    after: str | None = None,
) -> Connection[Person]:
    check_page_size(first)
    start = decode_cursor("person", after)
    service = plain_text(str(service_id), "serviceId") if service_id is not None else None
    rows = await info.context.read(lambda tx: people_page(tx, service, start, first), People.name)
    return connection(
        rows, first, after, "person", lambda r: r["registered_position"], Person.from_row
    )


@strawberry.type
class Query:
    person: Person | None = strawberry.field(resolver=person, description="A person supported")
    people: Connection[Person] = strawberry.field(
        resolver=people, description="People supported, in registration order, per service"
    )
