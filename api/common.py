"""GraphQL types every slice shares: roles, the log position scalar, who acted, and enums."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from domain.assessment import ContributionMode, Section
from domain.care_records import LAST_POSSIBLE_POSITION
from domain.deciding import parse_id
from domain.envelope import EARLIEST_EFFECTIVE_AT, Role
from domain.errors import RulesViolated, Violation
from domain.incident import HarmLevel, PracticeChangeState
from domain.pathway import SetbackResponse
from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.risk_decision import RiskReviewOutcome
from domain.shapes import has_control_characters, has_lone_surrogates
from domain.staff import InductionPart
from projections.states import Moment


def describe_values(kind: Any, descriptions: Mapping[str, str]) -> None:
    """Describes each value of a GraphQL enum by name: the domain's enums know nothing of
    GraphQL, and an enum built at run time cannot carry strawberry.enum_value."""
    values = kind.__strawberry_definition__.values
    unknown = set(descriptions) - {value.name for value in values}
    if unknown:
        raise ValueError(f"{kind.__name__} has no values {sorted(unknown)}")
    for value in values:
        value.description = descriptions.get(value.name, value.description)


# The domain's own enums, the same in inputs and outputs.
strawberry.enum(Role, description="What a member of staff (or a reader) may do")
describe_values(Role, {
    "SUPPORT_WORKER": "Writes a person's day-to-day records in the services of their token",
    "SENIOR_SUPPORT_WORKER": "As a support worker",
    "MANAGER": "Also agrees plans, holds reviews, agrees risk decisions, imposes and reviews "
    "restrictions; reads the audit and access logs",
    "COMMISSIONER": "Reads records (and the audit chain's integrity); writes nothing",
    "INSPECTOR": "Reads records in the services of their token until their grant ends; "
    "writes nothing",
    "INTEGRATION_CLIENT": "Another system: reads records and the change feed (people who "
    "consent to share with it); writes only with the records:write scope",
    "TENANT_ADMIN": "Sets the provider's and services' settings; reads no care records",
})  # fmt: skip
strawberry.enum(Section, description="The sections of a strengths-led assessment")
describe_values(Section, {
    "STRENGTHS": "What the person is good at and values",
    "INDEPENDENT_SKILLS": "What the person already does for themselves",
    "PREFERRED_OUTCOMES": "What the person wants to achieve",
    "INFORMAL_SUPPORT": "Family, friends and community who help",
    "COMMUNICATION_PREFERENCES": "How the person prefers to be spoken and written to",
})  # fmt: skip
strawberry.enum(ContributionMode, description="How the person took part in their assessment")
describe_values(ContributionMode, {
    "DIRECT": "The person took part themselves",
    "THROUGH_ADVOCATE": "An advocate (or someone else named) spoke for them",
    "NOT_POSSIBLE": "They could not take part; the summary says why",
})  # fmt: skip
strawberry.enum(SetbackResponse, description="What was decided about a stage after a setback")
describe_values(SetbackResponse, {
    "REPEAT_STAGE": "Do the stage under way (or else the last completed) again",
    "STEP_BACK": "Go back from the stage under way to the one before",
    "DELAY_NEXT_STAGE": "Between stages: the next stays planned, and waits",
})  # fmt: skip
strawberry.enum(
    RestrictionBasis,
    description="The basis of a restriction: the person's "
    "consent, a best-interests decision under the Mental Capacity Act, a "
    "deprivation of liberty authorisation, a court order, or another (detailed)",
)
describe_values(RestrictionBasis, {
    "CONSENT": "The person consents to it",
    "BEST_INTERESTS": "A best-interests decision under the Mental Capacity Act",
    "DEPRIVATION_OF_LIBERTY": "A deprivation of liberty (DoLS or LPS) authorisation",
    "COURT_ORDER": "A court order",
    "OTHER": "Another basis, given in basisDetail",
})  # fmt: skip
strawberry.enum(ReviewOutcome, description="What a restriction's review decided")
describe_values(ReviewOutcome, {
    "CONTINUED": "It stays as it is until its next review",
    "REDUCED": "It stays, restricting less",
    "LIFTED": "It ends",
})  # fmt: skip
strawberry.enum(RiskReviewOutcome, description="What a risk decision's review decided")
describe_values(RiskReviewOutcome, {
    "CONTINUE": "The decision and its safeguards stay as they are",
    "RELAX_SAFEGUARDS": "Fewer or lighter safeguards from now on",
    "TIGHTEN_SAFEGUARDS": "More or stronger safeguards from now on",
})  # fmt: skip
strawberry.enum(HarmLevel, description="The level of harm an incident caused")
describe_values(HarmLevel, {
    "NONE": "No harm came to anyone",
    "LOW": "Minor harm, needing first aid at most",
    "MODERATE": "Harm needing treatment or lasting some time",
    "SEVERE": "Serious or lasting harm",
})  # fmt: skip
strawberry.enum(InductionPart, description="A part of a new starter's induction")
describe_values(InductionPart, {
    "COMPETENCY_CHECK": "A check of a competency",
    "OBSERVED_PRACTICE_DISCUSSION": "A discussion of practice observed",
    "LEARNING_OUTCOME": "A strengths-based learning outcome met",
    "SUPERVISION_FOLLOW_UP": "A follow-up date agreed for supervision (followUpOn)",
    "PROBATION_REVIEW": "The review at the end of probation",
})  # fmt: skip
strawberry.enum(
    PracticeChangeState,
    description="Where a practice change stands: open, done (put into practice) or reviewed "
    "(its effect looked at)",
)
describe_values(PracticeChangeState, {
    "OPEN": "Agreed, not yet put into practice",
    "DONE": "Put into practice",
    "REVIEWED": "Its effect looked at",
})  # fmt: skip


def _parse_position(value: object) -> int:
    try:
        position = int(str(value))
    except ValueError:
        position = -1
    if not 0 <= position <= LAST_POSSIBLE_POSITION:
        violation = Violation("input.position.invalid", "position", "send a log position")
        raise RulesViolated([violation])
    return position


Position = NewType("Position", int)
SCALARS: dict[object, ScalarDefinition] = {
    Position: strawberry.scalar(
        name="Position",
        description="A place in the global event log: a 64-bit integer, sent as a JSON number "
        "(beyond GraphQL's 32-bit Int)",
        serialize=int,
        parse_value=_parse_position,
    )
}


@strawberry.type(description="Who made a change, as the request that made it stated.")
class Actor:
    id: strawberry.ID = strawberry.field(description="Their id (the token's subject)")
    name: str = strawberry.field(description="Their name")
    role: Role = strawberry.field(description="The role they acted in")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Actor:
        """From a row with actor_id, actor_name and actor_role columns."""
        return cls(id=strawberry.ID(row["actor_id"]), name=row["actor_name"],
                   role=Role(row["actor_role"]))  # fmt: skip


@strawberry.enum(description="What a projection is doing")
class ReadModelState(Enum):
    LIVE = strawberry.enum_value("live", description="Reading the log as it grows")
    PARKED = strawberry.enum_value(
        "parked", description="Stopped at an event it failed on; its rows stand as they were"
    )
    OUTDATED = strawberry.enum_value(
        "outdated", description="Built by an earlier version of its code: it is to be rebuilt"
    )


def record_id(value: object, field: str) -> str:
    """A record id given to a query, refused unless it is one (as commands refuse it)."""
    return str(parse_id(str(value), field))


def plain_text(value: str, field: str) -> str:
    """Text given to a query, refused if it holds control characters (as commands refuse it)
    or lone surrogates (which are no text at all)."""
    if has_control_characters(value):
        message = "text may not contain control characters (tab and line breaks are fine)"
        raise RulesViolated([Violation("input.text.control_character", field, message)])
    if has_lone_surrogates(value):
        message = "text may not contain lone surrogates (\\ud800-\\udfff): send UTF-8 text"
        raise RulesViolated([Violation("input.text.surrogate", field, message)])
    return value


def when(value: str | datetime) -> datetime:
    """An instant from a read-model column (timestamptz, or UTC text on SQLite), in UTC."""
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return instant.astimezone(UTC)


# The last instant a query may name: far enough for any review date, short of the calendar's end.
LATEST_TIME = datetime(9000, 1, 1, tzinfo=UTC)

AS_OF = strawberry.argument(
    description="Describe what was in force at this time (default: now). Changes recorded "
    "late, but effective by then, are included; days overdue are counted to this day."
)
AS_KNOWN_AT = strawberry.argument(
    description="Describe it as the record stood at this time (default: now; a later time "
    "reads as now): changes recorded later are left out, whenever they took effect."
)
# The arguments many root fields take, described once.
AsOf = Annotated[datetime | None, AS_OF]
AsKnownAt = Annotated[datetime | None, AS_KNOWN_AT]
PersonId = Annotated[
    strawberry.ID,
    strawberry.argument(
        description="The person supported (their record's id); another provider's person, or "
        "one the caller's services do not support, reads as absent"
    ),
]
ServiceId = Annotated[
    strawberry.ID,
    strawberry.argument(
        description="The service (as tokens name it); one outside the caller's services is "
        "refused with FORBIDDEN (rule access.service)"
    ),
]
TeamId = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this team of the service (default: every team)"),
]


@strawberry.type(description="The moment a record's state describes")
class MomentFields:
    as_of: datetime = strawberry.field(description="This describes what was in force then")
    as_known_at: datetime = strawberry.field(description="...as recorded by then")

    @staticmethod
    def of(at: Moment) -> dict[str, datetime]:
        return {"as_of": at.as_of, "as_known_at": at.as_known_at}


def moment(
    as_of: datetime | None, as_known_at: datetime | None, as_of_name: str = "asOf"
) -> Moment:
    """The moment a read describes; each time not given is the time of the read. `as_of_name`:
    what the query calls its asOf (`from` and `to` in a diff)."""
    if as_of is None and as_known_at is None:
        return Moment.current()
    as_of, as_known_at = aware(as_of, as_of_name), aware(as_known_at, "asKnownAt")
    now = datetime.now(UTC)
    # Nothing is known beyond now: a later asKnownAt reads as now, and says so, rather than
    # echo a time that would suggest the answer can no longer change.
    known_at = min(as_known_at or now, now)
    return Moment(as_of or now, known_at, now=False)


def aware(value: datetime | None, name: str) -> datetime | None:
    """A time argument in UTC, refused without a timezone offset (it would name no one
    instant) or outside the years records can be about (at an extreme offset, the first and
    last days of the calendar are not instants Python can hold in UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        message = "include a timezone offset, e.g. 2026-05-14T09:00:00Z"
        raise RulesViolated([Violation("input.time.timezone_required", name, message)])
    try:
        instant = value.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST_EFFECTIVE_AT <= instant <= LATEST_TIME:
        message = f"give a time from {EARLIEST_EFFECTIVE_AT.year} to {LATEST_TIME.year}"
        raise RulesViolated([Violation("input.time.out_of_range", name, message)])
    return instant


def optional_id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value else None


def optional_when(value: Any) -> datetime | None:
    return when(value) if value else None


def snake(name: str) -> str:
    """A camelCase name as Python spells it."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def snaked(value: dict[str, Any]) -> dict[str, Any]:
    return {snake(key): item for key, item in value.items()}


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def shown_technique(technique: str | None) -> str | None:
    """A technique as GraphQL names it (PROMPT_LADDER); kept lower case (prompt_ladder)."""
    return technique.upper() if technique else None
