"""Incidents of a person or a service, and the practice changes they led to that are still
open: each as the records stood at any moment, as recorded at any time."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    MomentFields,
    ServiceId,
    aware,
    describe_values,
    moment,
    optional_id,
    optional_when,
    record_id,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, listed, window, windowed
from domain.errors import RulesViolated, Violation
from domain.incident import HarmLevel, PracticeChangeState
from domain.incident import Incident as IncidentRecord
from projections.base import Row
from projections.incidents import Incidents, incident_at, incidents_of, open_practice_changes_of
from projections.people import People
from projections.states import Moment

ContextInfo = Info[Context, None]
READERS = readers_of(IncidentRecord)


@strawberry.enum(description="Whether an incident is open, or closed once learned from")
class IncidentStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"


describe_values(IncidentStatus, {
    "OPEN": "Still being analysed and learned from",
    "CLOSED": "Closed once learned from",
})  # fmt: skip


@strawberry.type(description="How an incident was analysed")
class IncidentAnalysis:
    controls_proportionate: str = strawberry.field(
        description="Whether the controls in place were proportionate"
    )
    person_prepared: str = strawberry.field(
        description="Whether the person was prepared and supported"
    )
    what_went_wrong: str = strawberry.field(description="What went wrong")
    what_went_right: str = strawberry.field(description="What went right")


@strawberry.type(description="A change in practice agreed after an incident")
class PracticeChange:
    change_id: strawberry.ID = strawberry.field(description="The change, within the incident")
    incident_id: strawberry.ID = strawberry.field(description="The incident it follows")
    person_id: strawberry.ID = strawberry.field(description="The person the incident happened to")
    what: str = strawberry.field(description="What changes in practice")
    lead: str = strawberry.field(description="Who leads it")
    review_by: date = strawberry.field(description="When it is reviewed by")
    state: PracticeChangeState = strawberry.field(description="Open, done or reviewed")
    note: str | None = strawberry.field(description="What was done, or what the review found")
    marked_at: datetime | None = strawberry.field(description="When it was marked done or reviewed")
    days_past_review: int = strawberry.field(
        description="Days past its review date at asOf while open; 0 otherwise"
    )

    @classmethod
    def of(cls, incident: Row, change: dict[str, Any], at: Moment) -> PracticeChange:
        review_by = date.fromisoformat(change["reviewBy"])
        state = PracticeChangeState(change["state"])
        past = (at.as_of.date() - review_by).days if state is PracticeChangeState.OPEN else 0
        return cls(
            change_id=strawberry.ID(change["changeId"]),
            incident_id=strawberry.ID(incident["incident_id"]),
            person_id=strawberry.ID(incident["person_id"]), what=change["what"],
            lead=change["lead"], review_by=review_by, state=state, note=change["note"],
            marked_at=optional_when(change["markedAt"]), days_past_review=max(0, past),
        )  # fmt: skip


@strawberry.type(description="To whom an incident's learning was communicated, and when")
class LearningShared:
    to_whom: str = strawberry.field(description="To whom")
    on: date = strawberry.field(description="When")


@strawberry.type(description="An incident that happened to a person, as it stood at a moment")
class Incident(MomentFields):
    incident_id: strawberry.ID = strawberry.field(description="The incident")
    person_id: strawberry.ID = strawberry.field(description="The person it happened to")
    status: IncidentStatus = strawberry.field(description="Open, or closed")
    happened_at: datetime = strawberry.field(description="When it happened")
    what_happened: str = strawberry.field(description="What happened")
    staff_involved: list[strawberry.ID] = strawberry.field(
        description="The staff involved, by staff id"
    )
    location: str = strawberry.field(description="Where it happened")
    activity: str | None = strawberry.field(description="The activity it happened during")
    risk_decision_id: strawberry.ID | None = strawberry.field(
        description="The positive risk-taking decision for that activity, if any"
    )
    immediate_actions: str = strawberry.field(description="What was done at once")
    harm_level: HarmLevel = strawberry.field(description="The level of harm")
    analysis: IncidentAnalysis | None = strawberry.field(description="How it was analysed")
    learning: list[str] = strawberry.field(description="What was learned")
    practice_changes: list[PracticeChange] = strawberry.field(
        description="The changes in practice agreed after it"
    )
    person_views: str | None = strawberry.field(
        description="The person's views of it, in their words"
    )
    wellbeing_impact: str | None = strawberry.field(description="Its impact on their wellbeing")
    learning_shared: list[LearningShared] = strawberry.field(
        description="To whom the learning was communicated"
    )
    restriction_ids: list[strawberry.ID] = strawberry.field(
        description="The restrictions imposed after it, naming it"
    )
    closed_at: datetime | None = strawberry.field(description="When it was closed")
    no_guidance_change_reason: str | None = strawberry.field(
        description="Why staff guidance needed no revision after it, if it was closed so"
    )
    version: int = strawberry.field(description="The incident's version then")

    @classmethod
    def from_row(cls, row: Row, at: Moment) -> Incident:
        document = json.loads(row["document"])
        report, analysis = document["report"], document["analysis"]
        return cls(
            incident_id=strawberry.ID(row["incident_id"]),
            person_id=strawberry.ID(row["person_id"]), status=IncidentStatus(row["status"]),
            happened_at=when(row["occurred_at"]), what_happened=report["whatHappened"],
            staff_involved=[strawberry.ID(staff) for staff in report["staffInvolved"]],
            location=report["location"], activity=report["activity"],
            risk_decision_id=optional_id(report["riskDecisionId"]),
            immediate_actions=report["immediateActions"],
            harm_level=HarmLevel(report["harmLevel"]),
            analysis=IncidentAnalysis(
                controls_proportionate=analysis["controlsProportionate"],
                person_prepared=analysis["personPrepared"],
                what_went_wrong=analysis["whatWentWrong"],
                what_went_right=analysis["whatWentRight"]) if analysis else None,
            learning=document["learning"],
            practice_changes=[PracticeChange.of(row, change, at)
                              for change in document["practiceChanges"]],
            person_views=document["personViews"], wellbeing_impact=document["wellbeingImpact"],
            learning_shared=[LearningShared(to_whom=s["toWhom"], on=date.fromisoformat(s["on"]))
                             for s in document["shared"]],
            restriction_ids=[strawberry.ID(r) for r in document["restrictionIds"]],
            closed_at=optional_when(document["closedAt"]),
            no_guidance_change_reason=document["noGuidanceChangeReason"],
            version=row["version"], **MomentFields.of(at),
        )  # fmt: skip


IncidentId = Annotated[strawberry.ID, strawberry.argument(description="The incident")]
OfService = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The incidents of the people this service supported at asOf (name this or "
        "personId); one outside the caller's services is refused with FORBIDDEN"
    ),
]
OfPerson = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The incidents of this person (name this or serviceId); a person out of "
        "the caller's reach reads as having none"
    ),
]
Status = Annotated[
    IncidentStatus | None,
    strawberry.argument(description="Only incidents of this status (default: either)"),
]


async def incident(
    info: ContextInfo, incident_id: IncidentId, as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> Incident | None:  # fmt: skip
    found, at = record_id(incident_id, "incidentId"), moment(as_of, as_known_at)
    row = await info.context.read_record("incident", found,
                                         lambda tx: incident_at(tx, found, at),
                                         Incidents.name)  # fmt: skip
    return Incident.from_row(row, at) if row else None


async def incidents(
    info: ContextInfo,
    service_id: OfService = None,
    person_id: OfPerson = None,
    status: Status = None,
    from_: Annotated[datetime | None, strawberry.argument(
        name="from", description="Incidents that happened from then (default: any)")] = None,
    to: Annotated[datetime | None, strawberry.argument(
        description="Incidents that happened by then (default: any)")] = None,
    first: First = 50,
    after: After = None,
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> Connection[Incident]:  # fmt: skip
    if (service_id is None) == (person_id is None):
        message = "name either a serviceId or a personId"
        raise RulesViolated([Violation("input.scope.one_of", "serviceId", message)])
    from_, to = aware(from_, "from"), aware(to, "to")
    if from_ is not None and to is not None and from_ > to:
        raise RulesViolated([Violation("input.date.range", "from", "`from` is after `to`")])
    at, wanted = info.context.moment(as_of, as_known_at), status.value if status else None
    tenant = info.context.caller().tenant_id
    asked: dict[str, Any] = {"status": wanted, "occurred_from": from_, "occurred_to": to}
    if person_id is not None:
        person = record_id(person_id, "personId")
        of_person = await info.context.read_person(
            "incidents", person,
            lambda tx: incidents_of(tx, tenant, at, person_id=person, **asked), Incidents.name,
        )  # fmt: skip
        page, _ = listed(of_person or [], first, after, "incidents",
                         lambda row: Incident.from_row(row, at))  # fmt: skip
        return page
    service = info.context.reached_service("incidents", str(service_id))
    cut = window(first, after, "incidents")
    rows = await info.context.read(
        lambda tx: incidents_of(tx, tenant, at, service_id=service, **asked,
                                limit=cut.limit, offset=cut.offset),
        Incidents.name, People.name)  # fmt: skip
    page, shown = windowed(rows, cut, after, "incidents", lambda row: Incident.from_row(row, at))
    info.context.log_reads("incidents", tenant, [(r["person_id"], r["incident_id"]) for r in shown])
    return page


async def open_changes(
    info: ContextInfo, service_id: ServiceId, first: First = 50, after: After = None,
    as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[PracticeChange]:  # fmt: skip
    service = info.context.reached_service("openPracticeChanges", str(service_id))
    tenant, at = info.context.caller().tenant_id, info.context.moment(as_of, as_known_at)
    cut = window(first, after, "openPracticeChanges")
    found = await info.context.read(
        lambda tx: open_practice_changes_of(tx, tenant, service, at, cut.limit, cut.offset),
        Incidents.name, People.name,
    )  # fmt: skip
    page, shown = windowed(found, cut, after, "openPracticeChanges",
                           lambda change: PracticeChange.of(change[0], change[1], at))  # fmt: skip
    read = [(row["person_id"], row["incident_id"]) for row, _ in shown]
    info.context.log_reads("openPracticeChanges", tenant, read)
    return page


@strawberry.type
class Query:
    incident: Incident | None = strawberry.field(
        resolver=incident,
        description="An incident as it stood at a moment (null if out of reach)",
        extensions=readable_by(READERS),
    )
    incidents: Connection[Incident] = strawberry.field(
        resolver=incidents,
        description="The incidents of a person, or of the people a service supported at asOf, "
        "that happened between `from` and `to` (of one status, if given), as they stood at a "
        "moment, in the order they happened",
        extensions=readable_by(READERS),
    )
    open_practice_changes: Connection[PracticeChange] = strawberry.field(
        resolver=open_changes,
        description="Practice changes still open at a moment, from incidents of the people a "
        "service supported then: those past their review date first (longest past first), "
        "then by review date",
        extensions=readable_by(READERS),
    )
