"""Per-request context: who is asking (from headers, until authentication exists) and how to
reach the records and the read models without blocking the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from uuid import uuid4

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from domain.envelope import Actor, CommandContext
from domain.errors import DomainError, Forbidden, RulesViolated, Violation
from domain.records import CareRecords, Written
from infra.bootstrap import Runtime
from projections.base import Row, Transaction
from projections.support_plans import current_plans_for

T = TypeVar("T")

ACTOR_ID = "X-Stepwise-Actor-Id"
ACTOR_NAME = "X-Stepwise-Actor-Name"
ACTOR_ROLE = "X-Stepwise-Actor-Role"
TENANT = "X-Stepwise-Tenant"
CORRELATION_ID = "X-Correlation-Id"
WAIT_FOR_POSITION = "X-Stepwise-Wait-For-Position"


class ProjectionLagging(DomainError):
    def __init__(self, position: int, timeout: float) -> None:
        self.position = position
        super().__init__(f"read models did not reach position {position} within {timeout:g}s")


class Context(BaseContext):
    def __init__(self, runtime: Runtime, request: Request) -> None:
        super().__init__()
        self.runtime = runtime
        self.headers = request.headers
        self.correlation_id = request.headers.get(CORRELATION_ID) or str(uuid4())
        self._wait_header = request.headers.get(WAIT_FOR_POSITION)
        self._caught_up: asyncio.Future[None] | None = None
        self.plans_by_person: DataLoader[str, Row | None] = DataLoader(load_fn=self._load_plans)

    async def read(self, query: Callable[[Transaction], T]) -> T:
        """Runs a read-model query, first waiting for the position the client asked to see."""
        if self._wait_header is not None:
            # Top-level fields resolve concurrently: all of them await the one wait.
            if self._caught_up is None:
                self._caught_up = asyncio.ensure_future(self._wait_for(self._wait_header))
            await self._caught_up
        return await run_in_threadpool(self._read, query)

    async def _wait_for(self, header: str) -> None:
        position = _position(header)
        timeout = self.runtime.settings.wait_for_position_timeout_seconds
        if not await run_in_threadpool(self.runtime.wait_for_position, position, timeout):
            raise ProjectionLagging(position, timeout)

    async def records(self, query: Callable[[CareRecords], T]) -> T:
        return await run_in_threadpool(query, self.runtime.records)

    async def write(
        self,
        command: Callable[[CareRecords, CommandContext], Written],
        effective_at: datetime | None,
        reason: str | None,
    ) -> Written:
        context = self.command_context(effective_at, reason)
        return await run_in_threadpool(command, self.runtime.records, context)

    def command_context(self, effective_at: datetime | None, reason: str | None) -> CommandContext:
        values = {name: (self.headers.get(name) or "").strip()
                  for name in (ACTOR_ID, ACTOR_NAME, ACTOR_ROLE, TENANT)}  # fmt: skip
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise Forbidden(f"changes must say who makes them: send the headers {missing}")
        return CommandContext(
            actor=Actor(values[ACTOR_ID], values[ACTOR_NAME], values[ACTOR_ROLE]),
            tenant_id=values[TENANT],
            correlation_id=self.correlation_id,
            effective_at=effective_at,
            reason=reason,
        )

    async def _load_plans(self, person_ids: list[str]) -> list[Row | None]:
        rows = await self.read(lambda tx: current_plans_for(tx, person_ids))
        by_person = {row["person_id"]: row for row in rows}
        return [by_person.get(person_id) for person_id in person_ids]

    def _read(self, query: Callable[[Transaction], T]) -> T:
        with self.runtime.store.transaction() as tx:
            return query(tx)


def _position(header: str) -> int:
    try:
        return max(int(header), 0)
    except ValueError:
        violation = Violation(
            "input.wait_for_position.invalid", WAIT_FOR_POSITION, "send a log position number"
        )
        raise RulesViolated([violation]) from None
