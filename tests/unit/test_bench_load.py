"""The bench's load client against a tiny HTTP/1.1 server on a local port: it counts what was
answered, and never counts an error or a refused request as a fast answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from infra.bench import load
from infra.bench.load import (
    BadAnswer,
    Connection,
    closed_loop,
    graphql_request,
    open_loop,
    percentile,
)

Answer = Callable[[dict[str, object]], tuple[int, bytes]]


def ok(_: dict[str, object]) -> tuple[int, bytes]:
    return 200, b'{"data":{"__typename":"Query"}}'


@asynccontextmanager
async def tiny_server(
    answer: Answer, chunked: bool = False, keep_alive: float | None = None
) -> AsyncIterator[tuple[int, list]]:
    """Answers each POST with `answer(body)`, closing a connection idle for `keep_alive`
    seconds; yields its port and the bodies it received."""
    received: list[dict[str, object]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), keep_alive)
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                body = json.loads(await reader.readexactly(length))
                received.append(body)
                status, payload = answer(body)
                if chunked:
                    framing = b"Transfer-Encoding: chunked\r\n\r\n"
                    payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
                else:
                    framing = b"Content-Length: %d\r\n\r\n" % len(payload)
                writer.write(b"HTTP/1.1 %d X\r\n%s%s" % (status, framing, payload))
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1], received


def test_a_closed_loop_counts_every_answer_over_every_connection() -> None:
    async def run() -> tuple[int, int, list]:
        async with tiny_server(ok) as (port, received):
            requests = [
                [graphql_request("127.0.0.1", port, {"query": f"q{c}-{n}"}) for n in range(3)]
                for c in range(4)
            ]
            outcome = await closed_loop("127.0.0.1", port, requests, 0.3)
            return len(outcome.latencies), outcome.errors, received

    answered, errors, received = asyncio.run(run())

    assert errors == 0
    assert answered == len(received) > 20
    assert {body["query"] for body in received} == {f"q{c}-{n}" for c in range(4) for n in range(3)}


def test_graphql_errors_and_other_statuses_are_failures_not_answers() -> None:
    def refusing(body: dict[str, object]) -> tuple[int, bytes]:
        if body["query"] == "bad":
            return 200, b'{"data":null,"errors":[{"message":"no"}]}'
        return (503, b"{}") if body["query"] == "down" else ok(body)

    async def run() -> tuple[int, int, str | None]:
        async with tiny_server(refusing) as (port, _):
            requests = [[graphql_request("127.0.0.1", port, {"query": q})]
                        for q in ("fine", "bad", "down")]  # fmt: skip
            outcome = await closed_loop("127.0.0.1", port, requests, 0.2)
            with pytest.raises(BadAnswer, match="failed"):
                outcome.check("mixed")
            return len(outcome.latencies), outcome.errors, outcome.first_error

    answered, errors, first = asyncio.run(run())

    assert answered > 0 and errors > 0
    assert first is not None and ("503" in first or "errors" in first)


def test_a_chunked_answer_is_read_whole() -> None:
    async def run() -> bytes:
        async with tiny_server(ok, chunked=True) as (port, _):
            connection = await Connection.open("127.0.0.1", port)
            body = await connection.answer(graphql_request("127.0.0.1", port, {"query": "q"}))
            await connection.close()
            return body

    assert json.loads(asyncio.run(run())) == {"data": {"__typename": "Query"}}


def test_an_open_loop_starts_exchanges_at_the_offered_rate() -> None:
    async def run() -> tuple[int, int, list[float]]:
        async with tiny_server(ok) as (port, received):

            async def exchange(connection: Connection, n: int) -> float:
                await connection.answer(graphql_request("127.0.0.1", port, {"query": f"{n}"}))
                return 0.001

            schedule = await open_loop("127.0.0.1", port, 100, 0.5, exchange)
            return len(schedule.measured), len(received), schedule.due

    measured, received, due = asyncio.run(run())

    assert measured == received == 50
    assert due[:3] == pytest.approx([0.0, 0.01, 0.02])


def test_an_open_loop_never_reuses_a_connection_idle_for_as_long_as_the_server_keeps_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(load, "IDLE_EXPIRY", 0.2)

    async def run() -> tuple[int, int]:
        async with tiny_server(ok, keep_alive=0.3) as (port, _):

            async def exchange(connection: Connection, n: int) -> float:
                await connection.answer(graphql_request("127.0.0.1", port, {"query": f"{n}"}))
                return 0.001

            schedule = await open_loop("127.0.0.1", port, 2.5, 1.6, exchange)  # 0.4 s apart
            return len(schedule.measured), schedule.outcome.errors

    assert asyncio.run(run()) == (4, 0)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]

    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 100.0
    assert percentile([], 0.5) != percentile([], 0.5)  # nan
