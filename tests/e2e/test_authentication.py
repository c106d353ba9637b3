"""Only a verified token is served: without one nothing but liveness, readiness and the GraphiQL
page answers; forged, expired or misaddressed tokens are refused; the actor on every event is the
token's; and a provider's keys are fetched again when it rotates them."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

import api.auth
from api.app import create_app
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.e2e.helpers import MANAGER, WORKER, Api, mutation_document, read_feed
from tests.support.tokens import TEST_SECRET

PEOPLE = "{ people(first: 5) { edges { node { id } } } }"
REGISTER = mutation_document("registerPerson")
PERSON = {"name": "Ruth Evans", "serviceId": "svc-1"}


def claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    given = {"sub": "u-ann", "name": "Ann Lee", "role": "support_worker", "tenant": "provider-a",
             "services": ["svc-1"], "iss": "stepwise", "aud": "stepwise", "iat": now,
             "exp": now + timedelta(hours=1)}  # fmt: skip
    return given | changes


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refusal(client: TestClient, headers: dict[str, str], query: str = PEOPLE) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    return dict(error)


def test_without_a_token_only_liveness_readiness_and_graphiql_answer(
    client: TestClient, runtime: Runtime
) -> None:
    before = runtime.records.last_position()

    for query in (PEOPLE, "{ events(first: 5) { edges { node { streamId } } } }"):
        assert "Authorization: Bearer" in refusal(client, {}, query)["message"]
    write = {"query": REGISTER, "variables": {"input": PERSON}}
    assert client.post("/graphql", json=write).status_code == 401
    assert client.get("/graphql", params={"query": PEOPLE}).status_code == 401

    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 200
    graphiql = client.get("/graphql", headers={"Accept": "text/html"})
    assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
    assert runtime.records.last_position() == before


@pytest.mark.parametrize(
    ("why", "token"),
    [
        ("forged", jwt.encode(claims(), "not-the-servers-secret-0123456789abc", "HS256")),
        ("expired", jwt.encode(claims(exp=datetime.now(UTC) - timedelta(minutes=5)), TEST_SECRET)),
        ("another audience", jwt.encode(claims(aud="someone-else"), TEST_SECRET)),
        ("another issuer", jwt.encode(claims(iss="someone-else"), TEST_SECRET)),
        (
            "no tenant",
            jwt.encode({k: v for k, v in claims().items() if k != "tenant"}, TEST_SECRET),
        ),
        ("unknown role", jwt.encode(claims(role="administrator"), TEST_SECRET)),
        ("unsigned", jwt.encode(claims(), None, "none")),
        ("services not a list", jwt.encode(claims(services="svc-1"), TEST_SECRET)),
        ("empty tenant", jwt.encode(claims(tenant=" "), TEST_SECRET)),
        (
            "support worker naming no services",
            jwt.encode({k: v for k, v in claims().items() if k != "services"}, TEST_SECRET),
        ),
        ("inspector without a grant's end", jwt.encode(claims(role="inspector"), TEST_SECRET)),
        (
            "grant's end not a time",
            jwt.encode(claims(role="inspector", grant_expires="soon"), TEST_SECRET),
        ),
        ("scope not text", jwt.encode(claims(scope=["records:write"]), TEST_SECRET)),
    ],
)
def test_a_token_that_does_not_verify_is_refused(client: TestClient, why: str, token: str) -> None:
    error = refusal(client, bearer(token))

    if why == "expired":
        assert "expired" in error["message"]


def test_the_actor_on_every_event_is_the_token_s_whatever_the_request_says(api: Api) -> None:
    headers = {**MANAGER.headers(), "X-Stepwise-Actor-Id": "u-someone-else",
               "X-Stepwise-Actor-Role": "inspector"}  # fmt: skip
    body = api.post(REGISTER, {"input": PERSON}, headers)
    assert "errors" not in body

    events, _ = read_feed(api)
    assert events[-1]["actor"] == {"id": MANAGER.id, "name": MANAGER.name, "role": "MANAGER"}


class Jwks:
    """An identity provider's JWKS endpoint, whose keys can be rotated."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        keys = self.keys

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                public = [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())),
                           "kid": kid, "alg": "RS256", "use": "sig"}
                          for kid, k in keys.items()]  # fmt: skip
                body = json.dumps({"keys": public}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/jwks.json"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def rotate(self, kid: str) -> None:
        self.keys.clear()
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(self, kid: str, key: rsa.RSAPrivateKey | None = None) -> str:
        signing = key or self.keys[kid]
        return jwt.encode(claims(iss="https://idp.example", aud="stepwise-api"), signing,
                          "RS256", headers={"kid": kid})  # fmt: skip

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def provider() -> Iterator[Jwks]:
    jwks = Jwks()
    yield jwks
    jwks.close()


@pytest.fixture
def provider_client(
    settings: Settings, provider: Jwks, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setattr(api.auth, "JWKS_REFETCH_SECONDS", 0.0)  # the rotation comes at once
    runtime = build(settings.model_copy(update={
        "auth_secret": None, "auth_jwks_url": provider.url,
        "auth_issuer": "https://idp.example", "auth_audience": "stepwise-api",
    }))  # fmt: skip
    try:
        with TestClient(create_app(runtime)) as client:
            yield client
    finally:
        runtime.close()


def test_tokens_from_the_identity_provider_verify_across_a_key_rotation(
    provider_client: TestClient, provider: Jwks
) -> None:
    provider.rotate("key-2026-11")
    first = provider.token("key-2026-11")
    ok = {"query": PEOPLE}
    assert provider_client.post("/graphql", json=ok, headers=bearer(first)).status_code == 200

    retired = provider.keys["key-2026-11"]
    provider.rotate("key-2026-12")  # the provider publishes a new key and drops the old one

    second = provider.token("key-2026-12")
    assert provider_client.post("/graphql", json=ok, headers=bearer(second)).status_code == 200
    refusal(provider_client, bearer(provider.token("key-2026-11", retired)))
    local = jwt.encode(claims(iss="https://idp.example", aud="stepwise-api"), TEST_SECRET)
    refusal(provider_client, bearer(local))  # no local secret on this server


def test_the_actor_headers_of_old_clients_no_longer_stand_for_a_token(
    client: TestClient,
) -> None:
    old = {"X-Stepwise-Actor-Id": "u-ann", "X-Stepwise-Actor-Name": "Ann",
           "X-Stepwise-Actor-Role": "manager", "X-Stepwise-Tenant": WORKER.tenant}  # fmt: skip

    refusal(client, old, REGISTER)


def test_a_token_naming_a_key_of_another_type_is_refused_not_an_error(
    provider_client: TestClient, provider: Jwks
) -> None:
    provider.rotate("rsa-key")
    _, body, signature = provider.token("rsa-key").split(".")
    header = {"alg": "ES256", "kid": "rsa-key", "typ": "JWT"}  # claims an EC key
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    token = f"{encoded}.{body}.{signature}"

    refusal(provider_client, bearer(token))


def test_while_the_identity_provider_is_unreachable_requests_are_told_to_retry(
    provider_client: TestClient, provider: Jwks
) -> None:
    provider.rotate("key-1")
    token = provider.token("key-1")
    provider.close()  # its keys were never fetched, and now cannot be

    response = provider_client.post("/graphql", json={"query": PEOPLE}, headers=bearer(token))

    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True}
