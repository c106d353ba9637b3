"""Documents generated from the published schema, valid and not, with arbitrary values: each is
answered with data or with errors that carry a code; never a server error, never INTERNAL."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import jwt
from graphql import build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from api.schema import schema
from tests.e2e.helpers import WORKER, Api
from tests.support.tokens import TEST_SECRET

SDL = schema.as_str()
MUTATIONS = sorted(build_schema(SDL).mutation_type.fields)  # type: ignore[union-attr]
EXAMPLES = 150  # per kind and backend: a few hundred documents in all, in under a minute

instants = st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat())
SCALARS = {
    "DateTime": st.one_of(instants, st.text(max_size=30)).map(nodes.String),
    "Date": st.one_of(st.dates().map(str), st.text(max_size=12)).map(nodes.String),
    "JSON": st.text(max_size=20).map(nodes.String),
    "Position": st.integers(min_value=-(2**64), max_value=2**64).map(nodes.Int),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def answered_with_codes(api: Api, document: object) -> None:
    response = api.client.post("/graphql", json={"query": document}, headers=WORKER.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str) and code != "INTERNAL", error


@FUZZ
@given(document=queries(SDL, custom_scalars=SCALARS))
def test_generated_queries_are_answered_with_codes(api: Api, document: object) -> None:
    answered_with_codes(api, document)


@FUZZ
@given(
    document=st.sampled_from(MUTATIONS).flatmap(
        lambda name: mutations(SDL, fields=[name], custom_scalars=SCALARS)
    )
)
def test_generated_mutations_are_refused_with_codes_or_written(api: Api, document: object) -> None:
    answered_with_codes(api, document)


@FUZZ
@given(document=queries(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
def test_generated_invalid_documents_are_bad_requests_with_codes(
    api: Api, document: object
) -> None:
    answered_with_codes(api, document)


# -- the HTTP layer: bodies and tokens of any shape ------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)  # fmt: skip
# Something near a request, so the shapes reach past the first check as well as failing it.
requests = st.fixed_dictionaries(
    {}, optional={"query": st.one_of(st.text(max_size=40), json_values,
                                     st.just("{ __typename }")),
                  "variables": json_values, "operationName": json_values,
                  "extensions": json_values},
)  # fmt: skip
claims = st.fixed_dictionaries(
    {},
    optional={name: st.one_of(json_values, st.integers(-(2**70), 2**70))
              for name in ("sub", "name", "role", "tenant", "iss", "aud", "iat", "exp", "nbf",
                           "services", "grant_expires", "scope")},
)  # fmt: skip


def _signed(claims: dict[str, Any]) -> str:
    """Claims of any shape, signed with the suite's secret: past the signature, into the
    checks of each claim."""
    payload = json.dumps(claims).encode()  # as is: PyJWT's own encoder checks some claims
    return jwt.PyJWS().encode(payload, TEST_SECRET, algorithm="HS256")


def answered_without_server_error(response: Any) -> None:
    """A status the client can act on and, in a GraphQL answer, a code on every error."""
    assert response.status_code in (200, 400, 401), (response.status_code, response.text)
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        for error in (body.get("errors") or []) if isinstance(body, dict) else []:
            code = (error.get("extensions") or {}).get("code")
            assert isinstance(code, str) and code != "INTERNAL", error


@FUZZ
@given(body=st.binary(max_size=200))
def test_any_bytes_posted_are_answered_with_a_status_and_a_code(api: Api, body: bytes) -> None:
    headers = {**WORKER.headers(), "Content-Type": "application/json"}
    answered_without_server_error(api.client.post("/graphql", content=body, headers=headers))


@FUZZ
@given(body=st.one_of(json_values, requests))
def test_any_json_posted_is_answered_with_a_status_and_a_code(api: Api, body: Any) -> None:
    answered_without_server_error(
        api.client.post("/graphql", json=body, headers=WORKER.headers()))  # fmt: skip


@FUZZ
@given(token=st.one_of(  # what a header can carry: no line breaks, NUL or lone surrogates
    st.text(st.characters(exclude_characters="\r\n\x00", exclude_categories=["Cs"]),
            max_size=60),
    claims.map(_signed)))  # fmt: skip
def test_any_token_is_answered_with_a_status_and_a_code(api: Api, token: str) -> None:
    headers = {b"Authorization": f"Bearer {token}".encode()}  # a header is bytes on the wire
    answered_without_server_error(
        api.client.post("/graphql", json={"query": "{ __typename }"}, headers=headers))  # fmt: skip
