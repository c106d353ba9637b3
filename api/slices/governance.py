"""The governance dashboard managers and inspectors read: for a service, or one of its teams, at
any moment as recorded at any time, every measure (review timeliness, restrictive practice,
static plans, care-plan audit, progression, language, workforce, incidents) with its teams side
by side; and, one query further, the records behind any figure."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    MomentFields,
    ServiceId,
    TeamId,
    describe_values,
    moment,
    plain_text,
    when,
)
from api.context import Context
from api.pagination import After, First, PageInfo, check_page_size, decode_cursor, encode_cursor
from api.slices.chronology import RecordType
from domain.errors import RulesViolated, Violation
from projections.base import Row, Transaction
from projections.folding import RecordTable
from projections.governance import Figure, Phrases, Scope, dashboard, evidence, months_to
from projections.governance_measures import BY_NAME, MEASURES, Area
from projections.people import People
from projections.settings import ProviderPolicies, governance_settings
from projections.states import Moment

ContextInfo = Info[Context, None]
MAX_MONTHS = 24
Months = Annotated[
    int,
    strawberry.argument(
        description=f"How many calendar months (UTC) what happened is counted over, ending with "
        f"asOf's month: 1 to {MAX_MONTHS}"
    ),
]
Month = Annotated[
    str | None,
    strawberry.argument(
        description="Only the records of this month of the window, YYYY-MM (default: the whole "
        "window); for measures of what happened"
    ),
]
SOURCES = {source for measure in MEASURES for _, source in measure.marks}
READ_MODELS = sorted({source.name for source in SOURCES} | {People.name, ProviderPolicies.name})
READERS = readers_of(*{s.aggregate for s in SOURCES if issubclass(s, RecordTable)})

if TYPE_CHECKING:
    GovernanceMeasure = Enum
    GovernanceArea = Enum
else:
    GovernanceMeasure = strawberry.enum(
        Enum("GovernanceMeasure", {measure.name: measure.name for measure in MEASURES}),
        description="A governance measure",
    )
    GovernanceArea = strawberry.enum(
        Enum("GovernanceArea", {area.name: area.value for area in Area}),
        description="What a governance measure is about",
    )
    describe_values(GovernanceMeasure, {m.name: m.description for m in MEASURES})
    describe_values(GovernanceArea, {
        "REVIEW_TIMELINESS": "Whether plan, stage and risk reviews are held by when they are due",
        "RESTRICTIVE_PRACTICE": "Restrictions in force, imposed, reviewed, reduced and lifted",
        "STATIC_PLANS": "Plans that do not change, and reviews that decide nothing",
        "CARE_PLAN_AUDIT": "Whether plans hold what a strengths-based plan needs",
        "PROGRESSION": "Stages completed, independence gained, support reshaped, setbacks",
        "LANGUAGE": "Whether records speak of doing for the person or supporting them to do",
        "WORKFORCE": "Induction, supervision and sign-offs of the staff",
        "INCIDENTS": "Incidents open, and practice changes past their review",
    })  # fmt: skip


Measured = Annotated[
    GovernanceMeasure, strawberry.argument(description="The figure whose records to list")
]


@strawberry.type(description="A figure for one team (teamId null: people with no team)")
class TeamFigure:
    team_id: strawberry.ID | None = strawberry.field(description="The team")
    count: int = strawberry.field(description="The figure")
    out_of: int | None = strawberry.field(description="Of how many, for a share")


@strawberry.type(description="A figure for one month of the window")
class MonthFigure:
    month: str = strawberry.field(description="The month, YYYY-MM (UTC)")
    count: int = strawberry.field(description="The figure")
    out_of: int | None = strawberry.field(description="Of how many, for a share")


@strawberry.type(description="One governance measure's figure, side by side per team")
class GovernanceFigure:
    measure: GovernanceMeasure = strawberry.field(description="The measure")
    area: GovernanceArea = strawberry.field(description="What it is about")
    description: str = strawberry.field(description="What it counts")
    count: int = strawberry.field(
        description="At the moment for what holds then; over the window for what happened"
    )
    out_of: int | None = strawberry.field(description="Of how many, for a share (else null)")
    by_team: list[TeamFigure] = strawberry.field(
        description="The figure per team of the scope, every team listed (consistency)"
    )
    by_month: list[MonthFigure] | None = strawberry.field(
        description="Per month of the window, for what happened (else null)"
    )


@strawberry.type(description="What the governance views read, as the provider set it")
class GovernanceSettings:
    static_plan_months: int = strawberry.field(
        description="Months without a change after which an agreed plan is static"
    )
    doing_for: list[str] = strawberry.field(description="Phrases marking doing for")
    supporting_with: list[str] = strawberry.field(description="Phrases marking supporting with")


@strawberry.type(description="A service's (or team's) governance dashboard at a moment")
class Governance(MomentFields):
    service_id: strawberry.ID = strawberry.field(description="The service")
    team_id: strawberry.ID | None = strawberry.field(description="The team, if one was asked for")
    months: list[str] = strawberry.field(
        description="The window of what happened: these months (YYYY-MM, UTC), ending with asOf's"
    )
    settings: GovernanceSettings = strawberry.field(description="The provider's settings read")
    figures: list[GovernanceFigure] = strawberry.field(description="Every measure")


@strawberry.type(description="A record behind a governance figure")
class GovernanceEvidence:
    record_type: RecordType = strawberry.field(description="The kind of record")
    record_id: strawberry.ID = strawberry.field(description="The record (see auditTrail)")
    person_id: strawberry.ID | None = strawberry.field(
        description="Whose record it is (null: a staff record)"
    )
    team_id: strawberry.ID | None = strawberry.field(description="The team it counts in")
    item: str = strawberry.field(
        description="Which part of the record: a review, stage, outcome or change id, a "
        "strength, a technique or a version (empty: the record itself)"
    )
    on: date | None = strawberry.field(description="The date the measure compares: due, "
                                       "review-by, last changed, refresher due")  # fmt: skip
    detail: str | None = strawberry.field(description="What it says: a title, the words "
                                          "written, how a review was held")  # fmt: skip
    effective_at: datetime = strawberry.field(
        description="When it took effect (for what holds: since when, as recorded then)"
    )


@strawberry.type(description="A page of the records behind a governance figure")
class GovernanceEvidencePage(MomentFields):
    measure: GovernanceMeasure = strawberry.field(description="The measure")
    items: list[GovernanceEvidence] = strawberry.field(description="The records, in order")
    page_info: PageInfo = strawberry.field(description="Where this page stands")


def _phrases(settings: Row) -> Phrases:
    return Phrases(settings["static_plan_months"], settings["doing_for"],
                   settings["supporting_with"])  # fmt: skip


def _window(at: Moment, months: int, month: str | None) -> list[str]:
    if not 1 <= months <= MAX_MONTHS:
        raise RulesViolated([Violation("input.months.range", "months",
                                       f"ask for between 1 and {MAX_MONTHS} months")])  # fmt: skip
    window = months_to(at, months)
    if month is not None and month not in window:
        raise RulesViolated([Violation("governance.month.outside_window", "month",
                                       f"name a month of the window: {window[0]} to "
                                       f"{window[-1]}")])  # fmt: skip
    return window


def _scope(info: ContextInfo, field: str, service_id: str, team_id: str | None) -> Scope:
    service = info.context.reached_service(field, service_id)
    team = plain_text(str(team_id), "teamId") if team_id is not None else None
    return Scope(info.context.caller().tenant_id, service, team)


async def governance(
    info: ContextInfo, service_id: ServiceId, team_id: TeamId = None,
    as_of: AsOf = None, as_known_at: AsKnownAt = None, months: Months = 6,
) -> Governance:  # fmt: skip
    scope = _scope(info, "governance", str(service_id), team_id)
    at = moment(as_of, as_known_at)
    window = _window(at, months, None)

    def read(tx: Transaction) -> tuple[Row, list[Figure]]:
        settings = governance_settings(tx, scope.tenant_id, at)
        return settings, dashboard(tx, scope, at, _phrases(settings), window)

    settings, figures = await info.context.read(read, *READ_MODELS)
    info.context.log_reads("governance", scope.tenant_id, [])
    shown = [GovernanceFigure(
        measure=GovernanceMeasure(figure.measure.name), area=GovernanceArea(figure.measure.area),
        description=figure.measure.description, count=figure.count, out_of=figure.out_of,
        by_team=[TeamFigure(team_id=_id(team), count=n, out_of=of if figure.out_of is not None
                            else None) for team, (n, of) in (figure.teams or {}).items()],
        by_month=[MonthFigure(month=month, count=n, out_of=of if figure.out_of is not None
                              else None) for month, (n, of) in figure.months.items()]
        if figure.months is not None else None,
    ) for figure in figures]  # fmt: skip
    return Governance(
        service_id=strawberry.ID(scope.service_id), team_id=_id(scope.team_id), months=window,
        settings=GovernanceSettings(static_plan_months=settings["static_plan_months"],
                                    doing_for=list(settings["doing_for"]),
                                    supporting_with=list(settings["supporting_with"])),
        figures=shown, **MomentFields.of(at),
    )  # fmt: skip


async def governance_evidence(
    info: ContextInfo, service_id: ServiceId, measure: Measured, team_id: TeamId = None,
    month: Month = None, as_of: AsOf = None, as_known_at: AsKnownAt = None, months: Months = 6,
    first: First = 50, after: After = None,
) -> GovernanceEvidencePage:  # fmt: skip
    scope = _scope(info, "governanceEvidence", str(service_id), team_id)
    at = moment(as_of, as_known_at)
    window = _window(at, months, month)
    check_page_size(first)
    offset = decode_cursor("governance", after)
    chosen = BY_NAME[measure.value]

    def read(tx: Transaction) -> list[Row]:
        phrases = _phrases(governance_settings(tx, scope.tenant_id, at))
        return evidence(tx, scope, at, phrases, window, chosen, month, offset, first + 1)

    rows = await info.context.read(read, *READ_MODELS)
    shown = rows[:first]
    info.context.log_reads("governanceEvidence", scope.tenant_id,
                           [(row["person_id"], row["record_id"]) for row in shown])  # fmt: skip
    end = offset + len(shown)
    return GovernanceEvidencePage(
        measure=measure, items=[_evidence(row) for row in shown],
        page_info=PageInfo(has_next_page=len(rows) > first,
                           end_cursor=encode_cursor("governance", end) if shown else after),
        **MomentFields.of(at),
    )  # fmt: skip


def _id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value is not None else None


def _evidence(row: Row) -> GovernanceEvidence:
    person = row["person_id"]
    return GovernanceEvidence(
        record_type=RecordType(row["record_type"]),
        record_id=strawberry.ID(row["record_id"]),
        person_id=strawberry.ID(person) if person else None, team_id=_id(row["team_id"]),
        item=row["item_key"],
        on=date.fromisoformat(row["on_date"]) if row["on_date"] else None,
        detail=row["detail"], effective_at=when(row["effective_from"]),
    )  # fmt: skip


@strawberry.type
class Query:
    governance: Governance = strawberry.field(
        resolver=governance,
        description="A service's governance dashboard (or one team's) at a moment, as "
        "recorded at a time: every measure with its teams side by side; what happened is "
        "counted over the `months` ending with asOf's. `governanceEvidence` lists the records "
        "behind any figure",
        extensions=readable_by(READERS),
    )
    governance_evidence: GovernanceEvidencePage = strawberry.field(
        resolver=governance_evidence,
        description="The records behind one governance figure (in one `month` of the window, "
        "for what happened), for the same service, team and moment",
        extensions=readable_by(READERS),
    )
