"""Documents generated from the published schema, valid and not, with arbitrary values: each is
answered with data or with errors that carry a code; never a server error, never INTERNAL."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from graphql import build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from api.schema import schema
from tests.e2e.helpers import WORKER, Api

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
