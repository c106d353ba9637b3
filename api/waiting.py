"""Read-your-writes without a thread per waiting request.

The watch knows how far each read model has got. The projector tells it after every commit
(in this process directly; from another process through PostgreSQL notifications), and while
anyone waits it also re-reads the positions now and then, as a safety net for SQLite and for a
missed notification. A request that must see a position awaits a future here: it holds no
worker thread, so hundreds can wait while other requests are served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from starlette.concurrency import run_in_threadpool

from domain.errors import RulesViolated, Violation
from infra.bootstrap import Runtime, positions_channel
from infra.notifications import PostgresNotifications
from projections.tracking import Status

WAIT_FOR_POSITION = "X-Stepwise-Wait-For-Position"

log = logging.getLogger("stepwise.api")


class TooManyWaiting(Exception):
    """As many requests as the server lets wait are waiting already."""

    def __init__(self, waiting: int) -> None:
        self.waiting = waiting
        super().__init__(
            f"{waiting} requests already wait for read models to catch up, as many as this "
            "server lets wait (STEPWISE_MAX_WAITING_REQUESTS); retry shortly, or read without "
            f"{WAIT_FOR_POSITION}"
        )


class NotReady(Exception):
    def __init__(self, position: int, message: str, parked: list[str] | None = None) -> None:
        self.position = position
        self.parked = parked or []
        super().__init__(message)


Waiter = tuple[int, frozenset[str], "asyncio.Future[None]"]


class ReadModelWatch:
    def __init__(self, runtime: Runtime, refresh_interval: float = 0.25) -> None:
        self._runtime = runtime
        self._refresh_interval = refresh_interval
        self._positions: dict[str, int] = {}
        self._stopped: dict[str, Status] = {}  # parked, or built by other code
        self._waiters: list[Waiter] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._notifications: PostgresNotifications | None = None
        self._log_end = 0  # a position known to be written: waiting for it is worthwhile
        self._log_end_lock = asyncio.Lock()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.refresh()
        self._runtime.projector.listeners.append(self.announced)
        settings = self._runtime.settings
        if settings.is_postgres:
            channel = positions_channel(settings)
            self._notifications = PostgresNotifications(settings.postgres.conninfo(), channel)
            self._notifications.start(self._notified)

    async def stop(self) -> None:
        if self.announced in self._runtime.projector.listeners:
            self._runtime.projector.listeners.remove(self.announced)
        if self._notifications is not None:
            await run_in_threadpool(self._notifications.stop)
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher

    def announced(self, name: str, position: int) -> None:
        """From any thread: a read model reached a position (-1: it was parked)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._advanced, name, position)

    def _notified(self, payload: str) -> None:
        name, _, position = payload.rpartition(":")
        if name and position.lstrip("-").isdigit():
            self.announced(name, int(position))
        else:  # (re)connected: whatever happened meanwhile is in the table
            self.announced("", -1)

    def _advanced(self, name: str, position: int) -> None:
        if position < 0 and self._loop is not None:
            self._loop.create_task(self._refresh_quietly())
            return
        self._positions[name] = max(self._positions.get(name, 0), position)
        self._log_end = max(self._log_end, position)
        self._stopped.pop(name, None)
        self._release()

    async def until(self, position: int, read_models: Iterable[str], timeout: float) -> None:
        """Returns once every given read model has applied the position."""
        models = frozenset(read_models)
        if models & self._stopped.keys():
            await self.refresh()  # it may have been retried or rebuilt elsewhere since
        if all(self._positions.get(model, 0) >= position for model in models):
            return  # nothing to wait for
        # Each waiter holds memory until it is answered: refused at once beyond the limit.
        if len(self._waiters) >= self._runtime.settings.max_waiting_requests:
            raise TooManyWaiting(len(self._waiters))
        waiter: Waiter = (position, models, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        self._release()
        if not waiter[2].done():
            await self._check_written(position, waiter)
        self._keep_refreshing()
        try:
            await asyncio.wait_for(asyncio.shield(waiter[2]), timeout)
        except TimeoutError:
            message = f"read models did not reach position {position} within {timeout:g}s"
            raise NotReady(position, message) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def _check_written(self, position: int, waiter: Waiter) -> None:
        """Refuses at once to wait for a position no write has reached: nothing would come.
        The end of the log is looked up once for any number of waiters arriving together."""
        if position > self._log_end:
            async with self._log_end_lock:
                if position > self._log_end:
                    end = await run_in_threadpool(self._runtime.records.last_position)
                    self._log_end = max(self._log_end, end)
        if position > self._log_end:
            last = self._log_end
            self._waiters.remove(waiter)
            message = f"the log ends at position {last}: send a position a mutation answered"
            violation = Violation("input.wait_for_position.beyond_log", WAIT_FOR_POSITION, message)
            raise RulesViolated([violation])

    async def refresh(self) -> None:
        statuses = await run_in_threadpool(self._runtime.projector.statuses)
        for model in self._runtime.projector.models:
            status = statuses[model.name]
            self._positions[model.name] = max(self._positions.get(model.name, 0), status.position)
            if status.parked or status.version != model.version:
                self._stopped[model.name] = status
            else:
                self._stopped.pop(model.name, None)
        self._release()

    def _release(self) -> None:
        for waiter in list(self._waiters):
            position, models, future = waiter
            behind = [m for m in models if self._positions.get(m, 0) < position]
            stopped = [m for m in behind if m in self._stopped]
            if future.done():
                continue
            if not behind:
                future.set_result(None)
            elif stopped:
                future.set_exception(NotReady(position, self._stopped_message(stopped), stopped))

    def _stopped_message(self, names: list[str]) -> str:
        parts = []
        for name in names:
            status = self._stopped[name]
            if status.parked:
                parts.append(
                    f"read model {name} is parked before position {status.error_position} "
                    f"({status.error}); once fixed, run `stepwise projections retry {name}`"
                )
            else:
                parts.append(
                    f"read model {name} must be rebuilt: run `stepwise projections rebuild`"
                )
        return "; ".join(parts)

    def _keep_refreshing(self) -> None:
        if self._refresher is None or self._refresher.done():
            self._refresher = asyncio.get_running_loop().create_task(self._refresh_while_waiting())

    async def _refresh_while_waiting(self) -> None:
        while self._waiters:
            await asyncio.sleep(self._refresh_interval)
            await self._refresh_quietly()

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except Exception:
            log.warning("could not read the read models' positions", exc_info=True)
