"""GraphQL types every slice shares: roles, the log position scalar, who acted, and enums."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from domain.assessment import ContributionMode, Section
from domain.envelope import Role
from domain.errors import RulesViolated, Violation

MAX_POSITION = 2**63 - 1  # BIGINT: a larger position cannot have been issued

strawberry.enum(Role, description="What a member of staff (or a reader) may do")
strawberry.enum(Section, description="The sections of a strengths-led assessment")
strawberry.enum(ContributionMode, description="How the person took part in their assessment")


def _parse_position(value: object) -> int:
    try:
        position = int(str(value))
    except ValueError:
        position = -1
    if not 0 <= position <= MAX_POSITION:
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
    id: strawberry.ID
    name: str
    role: Role

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Actor:
        """From a row with actor_id, actor_name and actor_role columns."""
        return cls(id=strawberry.ID(row["actor_id"]), name=row["actor_name"],
                   role=Role(row["actor_role"]))  # fmt: skip


@strawberry.enum(description="What a projection is doing")
class ReadModelState(Enum):
    LIVE = "live"
    PARKED = "parked"
    OUTDATED = "outdated"


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
