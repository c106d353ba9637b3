"""Limits on the work one document may ask for: refused before anything runs, each with its
own code, and nothing written."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.bootstrap import Runtime
from tests.e2e.helpers import WORKER, Api, nothing_written

REGISTER = 'registerPerson(input: {name: "Ruth", serviceId: "svc-1"}) { recordId }'
INTROSPECTION = """{ __schema { types { name fields { name type { name ofType { name ofType {
  name ofType { name ofType { name ofType { name } } } } } } } } } }"""


def codes(body: dict) -> set[str]:
    return {error["extensions"]["code"] for error in body["errors"]}


def test_one_mutation_per_request_by_default(api: Api) -> None:
    document = f"mutation {{ first: {REGISTER} second: {REGISTER} }}"

    with nothing_written(api):
        body = api.post(document, {}, WORKER.headers())

    assert "data" not in body  # refused before it ran
    assert codes(body) == {"TOO_MANY_MUTATIONS"}


def test_a_thousand_aliased_mutations_are_refused_quickly_with_codes(api: Api) -> None:
    document = "mutation { " + " ".join(f"m{n}: {REGISTER}" for n in range(1000)) + " }"

    with nothing_written(api):
        started = time.perf_counter()
        body = api.post(document, {}, WORKER.headers())

    assert codes(body) == {"TOO_MANY_MUTATIONS", "TOO_MANY_ALIASES"}
    assert time.perf_counter() - started < 10  # refused, not executed (it took 0.4 s here)


def test_too_many_root_fields_in_a_query_are_refused(api: Api) -> None:
    person = 'person(id: "00000000-0000-0000-0000-000000000001") { name }'
    document = "{ " + " ".join(f"p{n}: {person}" for n in range(11)) + " }"

    assert codes(api.post(document)) == {"TOO_MANY_ROOT_FIELDS"}


def test_too_many_aliases_in_a_query_are_refused(api: Api) -> None:
    names = " ".join(f"n{n}: name" for n in range(31))
    document = f'{{ person(id: "00000000-0000-0000-0000-000000000001") {{ {names} }} }}'

    assert codes(api.post(document)) == {"TOO_MANY_ALIASES"}


@pytest.fixture
def shallow_api(runtime: Runtime) -> Iterator[Api]:
    """Served with STEPWISE_MAX_QUERY_DEPTH=3."""
    runtime.settings.max_query_depth = 3
    with TestClient(create_app(runtime)) as client:
        yield Api(client)


def test_a_query_nested_deeper_than_allowed_is_refused(shallow_api: Api) -> None:
    deep = "{ people { edges { node { supportPlan { version } } } } }"
    shallow = "{ people { edges { cursor } } }"

    assert codes(shallow_api.post(deep)) == {"QUERY_TOO_DEEP"}
    assert "errors" not in shallow_api.post(shallow)


def test_depth_counts_fields_reached_through_fragments(shallow_api: Api) -> None:
    document = """
    { people { ...Edges } }
    fragment Edges on PersonConnection { edges { node { supportPlan { version } } } }"""

    assert codes(shallow_api.post(document)) == {"QUERY_TOO_DEEP"}


def test_introspection_is_not_limited_so_tools_keep_working(shallow_api: Api) -> None:
    assert "errors" not in shallow_api.post(INTROSPECTION)


def test_fragments_spreading_fragments_are_refused_in_the_time_the_document_takes_to_read(
    api: Api,
) -> None:
    """Forty fragments, each spreading the next twice: about 1.6 kB that would expand to 2^40
    selections. Measured with each fragment counted once, it is refused at once; expanded, it
    would never be."""
    levels = 40
    document = " ".join(["query { ...F0 }",
                         *(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}"
                           for n in range(levels)),
                         f"fragment F{levels} on Query {{ __typename }}"])  # fmt: skip
    answered: list[dict] = []
    asking = threading.Thread(target=lambda: answered.append(api.post(document)), daemon=True)

    asking.start()
    asking.join(timeout=30)  # a liveness bound, far above the milliseconds it takes

    [refused] = answered
    assert "data" not in refused
    assert codes(refused) == {"QUERY_TOO_LARGE"}


def test_a_document_within_the_field_limit_is_answered(api: Api) -> None:
    """Ten levels of fragments: 1,024 fields once expanded, under the default 2,000."""
    document = " ".join(["query { ...F0 }",
                         *(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}"
                           for n in range(10)),
                         "fragment F10 on Query { __typename }"])  # fmt: skip

    assert api.post(document) == {"data": {"__typename": "Query"}}
