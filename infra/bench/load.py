"""A light HTTP/1.1 load client: keep-alive connections on asyncio streams, requests prebuilt
as bytes.

The load generator shares the machine's few cores with the server it measures, so each request
must cost it far less than it costs the server. httpx builds a request object, runs it through
its transports, header models and response decoding, and costs about as much CPU per request
as a small GraphQL query does on the server: it would measure itself. Here a request is a
prebuilt byte string, a response is read as a status line, a length and a body, and the only
parsing is a search for `"errors"` in the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

HEADER_END = b"\r\n\r\n"


class BadAnswer(Exception):
    """The server answered with a status other than 200, or a GraphQL error."""


def graphql_request(
    host: str, port: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> bytes:
    """POST /graphql as bytes, ready to send again and again on a keep-alive connection."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    lines = [
        "POST /graphql HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(payload)}",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    return "\r\n".join(lines).encode() + HEADER_END + payload


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port, limit=2**22)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Sends a request, returns the status and the body."""
        self._writer.write(request)
        head = await self._reader.readuntil(HEADER_END)
        status = int(head[9:12])
        lowered = head.lower()
        start = lowered.find(b"\r\ncontent-length:")
        if start >= 0:
            end = lowered.index(b"\r\n", start + 2)
            return status, await self._reader.readexactly(int(head[start + 17 : end]))
        if b"\r\ntransfer-encoding: chunked" in lowered:
            return status, await self._chunked()
        raise BadAnswer(f"an answer with neither a length nor chunks: {head[:200]!r}")

    async def _chunked(self) -> bytes:
        parts = []
        while size := int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self._reader.readexactly(size + 2))
        await self._reader.readuntil(b"\r\n")
        return b"".join(part[:-2] for part in parts)

    async def answer(self, request: bytes) -> bytes:
        """The body of a successful answer; anything else raises BadAnswer."""
        status, body = await self.exchange(request)
        if status != 200 or b'"errors"' in body:
            raise BadAnswer(f"{status}: {body[:300].decode(errors='replace')}")
        return body

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()


@dataclass
class Outcome:
    """What a run measured: the latency of each answer that succeeded, and the failures."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    def failed(self, error: Exception) -> None:
        self.errors += 1
        self.first_error = self.first_error or f"{type(error).__name__}: {error}"

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000

    def check(self, what: str) -> None:
        """A run with errors measured something else than it claims: refuse to report it."""
        if self.errors:
            raise BadAnswer(
                f"{what}: {self.errors} of {self.errors + len(self.latencies)} requests "
                f"failed; the first: {self.first_error}"
            )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile; nan with no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def closed_loop(
    host: str, port: int, requests: Sequence[Sequence[bytes]], seconds: float
) -> Outcome:
    """One connection per list of requests, each sending its requests in turn, back to back,
    for `seconds`."""
    connections = [await Connection.open(host, port) for _ in requests]
    outcome = Outcome(seconds)
    deadline = time.perf_counter() + seconds
    try:
        pairs = zip(connections, requests, strict=True)
        await asyncio.gather(*(_keep_sending(c, r, deadline, outcome) for c, r in pairs))
    finally:
        for connection in connections:
            await connection.close()
    return outcome


async def _keep_sending(
    connection: Connection, requests: Sequence[bytes], deadline: float, outcome: Outcome
) -> None:
    clock, latencies = time.perf_counter, outcome.latencies
    for request in itertools.cycle(requests):
        started = clock()
        if started >= deadline:
            return
        try:
            await connection.answer(request)
        except BadAnswer as error:
            outcome.failed(error)
            continue
        latencies.append(clock() - started)


Exchange = Callable[[Connection, int], Awaitable[float]]


@dataclass
class Schedule:
    """An open-loop run: when each exchange was due, how late it started, what it measured."""

    rate: float
    seconds: float
    due: list[float] = field(default_factory=list)  # seconds from the start
    started_late: list[float] = field(default_factory=list)
    measured: list[float] = field(default_factory=list)
    outcome: Outcome = field(init=False)

    def __post_init__(self) -> None:
        self.outcome = Outcome(self.seconds)


async def open_loop(
    host: str, port: int, rate: float, seconds: float, exchange: Exchange
) -> Schedule:
    """Starts `exchange(connection, n)` at a fixed rate whether or not earlier ones have
    answered (an idle connection is reused, or another opened), so a slow server meets the
    same demand and its backlog shows rather than slowing the client down. Past MOST_OPEN
    connections in use, an exchange is not started but counted as failed."""
    pool = _Pool(host, port)
    schedule = Schedule(rate, seconds)
    tasks: set[asyncio.Task[None]] = set()
    begun = time.perf_counter()
    for n in range(int(rate * seconds)):
        due = begun + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        task = asyncio.create_task(_one(pool, exchange, n, (begun, due), schedule))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    schedule.outcome.seconds = time.perf_counter() - begun
    await pool.close()
    return schedule


MOST_OPEN = 128
# The server closes a connection idle for 5 s (uvicorn's keep-alive); one idle nearly that long
# is not reused, as HTTP clients do, since the server may close it as the request goes out.
IDLE_EXPIRY = 4.0


class _Pool:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[Connection, float]] = []  # and when each became idle
        self.busy = 0

    async def take(self) -> Connection:
        if not self.idle and self.busy >= MOST_OPEN:
            raise BadAnswer(f"all {MOST_OPEN} connections still wait for answers: a backlog")
        self.busy += 1
        try:
            while self.idle:
                connection, since = self.idle.pop()
                if time.perf_counter() - since < IDLE_EXPIRY:
                    return connection
                await connection.close()
            return await Connection.open(self.host, self.port)
        except OSError:
            self.busy -= 1
            raise

    async def give_back(self, connection: Connection, usable: bool) -> None:
        self.busy -= 1
        if usable:
            self.idle.append((connection, time.perf_counter()))
        else:
            await connection.close()

    async def close(self) -> None:
        for connection, _ in self.idle:
            await connection.close()


async def _one(
    pool: _Pool, exchange: Exchange, n: int, times: tuple[float, float], schedule: Schedule
) -> None:
    begun, due = times
    started = time.perf_counter()
    try:
        connection = await pool.take()
    except (BadAnswer, OSError) as error:
        schedule.outcome.failed(error)
        return
    try:
        measured = await exchange(connection, n)
    except BadAnswer as error:
        schedule.outcome.failed(error)
        await pool.give_back(connection, usable=True)
        return
    except (OSError, asyncio.IncompleteReadError) as error:
        schedule.outcome.failed(error)
        await pool.give_back(connection, usable=False)
        return
    await pool.give_back(connection, usable=True)
    schedule.due.append(due - begun)
    schedule.started_late.append(started - due)
    schedule.measured.append(measured)
    schedule.outcome.latencies.append(time.perf_counter() - started)
