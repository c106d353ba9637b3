"""People supported: one by id, or page by page per service."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    day,
    moment,
    record_id,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, check_page_size, connection, decode_cursor
from api.plan_types import SupportPlan
from api.slices.support_plans import plans_model
from domain.person import Person as PersonRecord
from projections.base import Row
from projections.people import People, get_person, people_page
from projections.states import Moment
from projections.support_plans import SupportPlans, get_plan

ContextInfo = Info[Context, None]
READERS = readers_of(PersonRecord)


@strawberry.type(description="Who speaks up for the person")
class Advocate:
    name: str = strawberry.field(description="The advocate's name")
    relationship: str = strawberry.field(description="Their relationship to the person")
    contact: str | None = strawberry.field(description="How to reach them")


@strawberry.type(description="Whether the person consents to information being shared")
class ConsentToShare:
    given: bool = strawberry.field(description="Whether they consent")
    scope: str = strawberry.field(description="What may be shared, and with whom")
    recorded_at: datetime = strawberry.field(description="When the consent took effect")


@strawberry.type(description="A person supported, as their record stood at a moment.")
class Person:
    id: strawberry.ID = strawberry.field(description="The person's record")
    name: str = strawberry.field(description="The person's name")
    date_of_birth: date | None = strawberry.field(description="Their date of birth, if given")
    service_id: strawberry.ID = strawberry.field(description="The service supporting them then")
    team_id: strawberry.ID | None = strawberry.field(description="The team within it, if any")
    advocate: Advocate | None = strawberry.field(description="Who speaks up for them")
    consent_to_share: ConsentToShare | None = strawberry.field(
        description="Their consent to share, once recorded"
    )
    version: int = strawberry.field(description="The record's version then")
    registered_at: datetime = strawberry.field(description="When they were registered")
    updated_at: datetime = strawberry.field(description="When their latest change was recorded")
    as_of: datetime = strawberry.field(description="This describes what was in force then")
    as_known_at: datetime = strawberry.field(description="...as recorded by then")
    moment: strawberry.Private[Moment]

    @strawberry.field(description="The person's living support plan, if one was drafted, at "
                      "the same moment")  # fmt: skip
    async def support_plan(self, info: ContextInfo) -> SupportPlan | None:
        at, person_id = self.moment, str(self.id)
        if at.now:
            row = await info.context.plans_by_person.load(person_id)
        else:
            plans = plans_model(info)
            row = await info.context.read(lambda tx: get_plan(tx, plans, person_id, at),
                                          SupportPlans.name)  # fmt: skip
        return SupportPlan.from_row(row, at) if row else None

    @classmethod
    def from_row(cls, row: Row, at: Moment) -> Person:
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
            as_of=at.as_of,
            as_known_at=at.as_known_at,
            moment=at,
        )


async def person(
    info: ContextInfo,
    id: Annotated[strawberry.ID, strawberry.argument(description="The person's record")],
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> Person | None:
    person_id, at = record_id(id, "id"), moment(as_of, as_known_at)
    row = await info.context.read_person("person", person_id,
                                         lambda tx: get_person(tx, person_id, at))  # fmt: skip
    return Person.from_row(row, at) if row else None


async def people(
    info: ContextInfo,
    service_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(
            description="Only the people of this service (default: of every service the caller "
            "reaches); one outside the caller's services is refused with FORBIDDEN"
        ),
    ] = None,
    first: First = 20,
    after: After = None,
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> Connection[Person]:
    check_page_size(first)
    start = decode_cursor("person", after)
    named = str(service_id) if service_id is not None else None
    service = info.context.reached_service("people", named) if named is not None else None
    at, caller = info.context.moment(as_of, as_known_at), info.context.caller()
    rows = await info.context.read(
        lambda tx: people_page(tx, caller.tenant_id, service, start, first, at, caller.services),
        People.name,
    )
    page = connection(rows, first, after, "person", lambda r: r["registered_position"],
                      lambda row: Person.from_row(row, at))  # fmt: skip
    shown = [(str(edge.node.id), str(edge.node.id)) for edge in page.edges]
    info.context.log_reads("people", caller.tenant_id, shown)
    return page


@strawberry.type
class Query:
    person: Person | None = strawberry.field(
        resolver=person,
        description="A person supported, as their record stood at a moment",
        extensions=readable_by(READERS),
    )
    people: Connection[Person] = strawberry.field(
        resolver=people,
        description="People supported, in registration order, per service; at a moment, those "
        "whose record had begun, in the service they were in then",
        extensions=readable_by(READERS),
    )
