"""How far each read model has read the log, and whether it is running."""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.access import EVERYONE, readable_by
from api.common import Position, ReadModelState
from api.context import Context

ContextInfo = Info[Context, None]


@strawberry.type(description="A read model's progress through the log")
class ProjectionPosition:
    name: str = strawberry.field(description="The read model")
    position: Position = strawberry.field(description="The last log position it applied")
    state: ReadModelState = strawberry.field(description="Live, parked or outdated")
    error: str | None = strawberry.field(description="Why a parked read model stopped")
    error_position: Position | None = strawberry.field(
        description="The position of the event a parked read model could not apply"
    )


async def projection_positions(info: ContextInfo) -> list[ProjectionPosition]:
    projector = info.context.runtime.projector
    statuses = await run_in_threadpool(projector.statuses)
    found = []
    for model in projector.models:
        status = statuses[model.name]
        state = ReadModelState.PARKED if status.parked else ReadModelState.LIVE
        if status.version != model.version:
            state = ReadModelState.OUTDATED
        found.append(
            ProjectionPosition(
                name=model.name,
                position=Position(status.position),
                state=state,
                error=status.error,
                error_position=Position(status.error_position)
                if status.error_position is not None
                else None,
            )
        )
    return found


@strawberry.type
class Query:
    projection_positions: list[ProjectionPosition] = strawberry.field(
        resolver=projection_positions,
        description="How far each read model has read the log, and whether it is parked. A "
        "plain list, not paged: one entry per read model the server runs (a fixed few)",
        extensions=readable_by(EVERYONE),
    )
