"""Waiting to read one's own write holds no worker thread: hundreds of requests can wait for a
position while the server answers everyone else."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx2 as httpx

from infra.bootstrap import Runtime
from tests.e2e.helpers import WAIT_FOR_POSITION, WORKER, mutation_document
from tests.support.server import serving

WAITERS = 200
PERSON = "query($id: ID!) { person(id: $id) { serviceId } }"


def test_two_hundred_requests_waiting_for_a_later_write_all_see_it_while_others_are_answered(
    runtime: Runtime,
) -> None:
    with serving(runtime) as url:
        answers, answered_meanwhile = asyncio.run(wait_in_numbers(url, runtime))

    assert answered_meanwhile == {"data": {"person": {"serviceId": "svc-1"}}}
    assert len(answers) == WAITERS
    assert all(answer == {"data": {"person": {"serviceId": "svc-2"}}} for answer in answers)


async def wait_in_numbers(
    url: str, runtime: Runtime
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    limits = httpx.Limits(max_connections=WAITERS + 10)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        registered = await mutate(client, "registerPerson", {"name": "Ruth", "serviceId": "svc-1"})
        person_id, shown = registered["recordId"], str(registered["position"])
        await post(client, PERSON, {"id": person_id}, {WAIT_FOR_POSITION: shown})
        # The move is written while no projector runs: its position is in the log, and
        # waiting for it lasts until the projector is back.
        await asyncio.to_thread(runtime.projector.stop)
        move = {"personId": person_id, "serviceId": "svc-2", "reason": "New flat"}
        moved = str((await mutate(client, "movePerson", move))["position"])

        waiting = [
            asyncio.create_task(post(client, PERSON, {"id": person_id}, {WAIT_FOR_POSITION: moved}))
            for _ in range(WAITERS)
        ]
        await asyncio.sleep(0.5)  # every waiter has arrived and is waiting
        # A read of the read models needs a worker thread: were waiters holding them, it could
        # not be answered until they timed out.
        answered_meanwhile = await post(client, PERSON, {"id": person_id}, {})
        assert not any(task.done() for task in waiting), "waiters answered before the write"

        await asyncio.sleep(1.5)
        await asyncio.to_thread(runtime.projector.start)
        return list(await asyncio.gather(*waiting)), answered_meanwhile


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={**WORKER.headers(), **headers},
    )
    body: dict[str, Any] = response.json()
    return body


async def mutate(client: httpx.AsyncClient, name: str, given: dict[str, Any]) -> dict[str, Any]:
    body = await post(client, mutation_document(name), {"input": given}, WORKER.headers())
    assert "errors" not in body, body
    written: dict[str, Any] = body["data"][name]
    return written


def test_beyond_the_most_that_may_wait_a_request_is_refused_at_once_and_the_rest_are_answered(
    runtime: Runtime,
) -> None:
    capped = replace(runtime, settings=runtime.settings.model_copy(
        update={"max_waiting_requests": 5}))  # fmt: skip
    with serving(capped) as url:
        answers = asyncio.run(wait_beyond_the_limit(url, capped, 8))

    refused = [a for a in answers if a.get("errors")]
    assert len(refused) == 3
    assert {error["extensions"]["code"] for a in refused for error in a["errors"]} == {"BUSY"}
    assert all(a["errors"][0]["extensions"]["retryable"] is True for a in refused)
    assert [a for a in answers if not a.get("errors")] == [
        {"data": {"person": {"serviceId": "svc-2"}}}] * 5  # fmt: skip


async def wait_beyond_the_limit(url: str, runtime: Runtime, how_many: int) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        registered = await mutate(client, "registerPerson", {"name": "Ruth", "serviceId": "svc-1"})
        person_id = registered["recordId"]
        await asyncio.to_thread(runtime.projector.stop)
        move = {"personId": person_id, "serviceId": "svc-2", "reason": "New flat"}
        moved = str((await mutate(client, "movePerson", move))["position"])
        waiting = [
            asyncio.create_task(post(client, PERSON, {"id": person_id}, {WAIT_FOR_POSITION: moved}))
            for _ in range(how_many)
        ]
        await asyncio.sleep(0.5)
        refused_at_once = [task for task in waiting if task.done()]
        await asyncio.to_thread(runtime.projector.start)
        answers = list(await asyncio.gather(*waiting))
        assert len(refused_at_once) == how_many - 5, "the refused were not answered at once"
        return answers
