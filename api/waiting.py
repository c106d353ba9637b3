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
REPLICA_POLL_SECONDS = 0.01  # how often a replica is asked how far it has replayed, while waited on

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
ReplicaWaiter = tuple[int, "asyncio.Future[None]"]  # a write-ahead log location to replay


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
        # With a read replica: how far the primary's write-ahead log reached, asked at a time
        # (shared by requests released together), and how far the replica has replayed it.
        self._written = (-1.0, 0)
        self._written_lock = asyncio.Lock()
        self._replayed = 0
        self._replica_waiters: list[ReplicaWaiter] = []
        self._replica_poller: asyncio.Task[None] | None = None
        self._max_waiting = runtime.settings.max_waiting_requests

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
        for task in (self._refresher, self._replica_poller):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

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
        """Returns once every given read model has applied the position, where reads are
        answered: on the replica, if there is one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self._applied(position, frozenset(read_models), timeout)
        if self._runtime.replica is not None:
            await self._on_replica(position, max(deadline - loop.time(), 0), timeout)

    async def _applied(self, position: int, models: frozenset[str], timeout: float) -> None:
        if models & self._stopped.keys():
            await self.refresh()  # it may have been retried or rebuilt elsewhere since
        if all(self._positions.get(model, 0) >= position for model in models):
            return  # nothing to wait for
        # Each waiter holds memory until it is answered: refused at once beyond the limit.
        if len(self._waiters) + len(self._replica_waiters) >= self._max_waiting:
            raise TooManyWaiting(len(self._waiters) + len(self._replica_waiters))
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

    async def _on_replica(self, position: int, remaining: float, timeout: float) -> None:
        """Returns once the replica has replayed what the primary had written by now."""
        written = await self._written_since(asyncio.get_running_loop().time())
        if self._replayed >= written:
            return
        if len(self._waiters) + len(self._replica_waiters) >= self._max_waiting:
            raise TooManyWaiting(len(self._waiters) + len(self._replica_waiters))
        waiter: ReplicaWaiter = (written, asyncio.get_running_loop().create_future())
        self._replica_waiters.append(waiter)
        if self._replica_poller is None or self._replica_poller.done():
            self._replica_poller = asyncio.get_running_loop().create_task(self._poll_replica())
        try:
            await asyncio.wait_for(asyncio.shield(waiter[1]), remaining)
        except TimeoutError:
            message = (
                f"the read replica had not replayed position {position} within {timeout:g}s; "
                "see its lag in pg_stat_replication on the primary, or read without "
                f"{WAIT_FOR_POSITION}"
            )
            raise NotReady(position, message) from None
        finally:
            self._replica_waiters.remove(waiter)

    async def _written_since(self, since: float) -> int:
        """How far the primary's write-ahead log reached, asked at `since` or later."""
        async with self._written_lock:
            asked_at, written = self._written
            if asked_at < since:
                asked_at = asyncio.get_running_loop().time()
                replica = self._runtime.replica
                assert replica is not None
                written = await run_in_threadpool(replica.written)
                self._written = (asked_at, written)
            return written

    async def _poll_replica(self) -> None:
        replica = self._runtime.replica
        assert replica is not None
        while any(not future.done() for _, future in self._replica_waiters):
            try:
                self._replayed = max(self._replayed, await run_in_threadpool(replica.replayed))
            except Exception:
                log.warning("could not read how far the read replica has replayed", exc_info=True)
            for location, future in self._replica_waiters:
                if location <= self._replayed and not future.done():
                    future.set_result(None)
            await asyncio.sleep(REPLICA_POLL_SECONDS)

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
