"""Who is asking, from a verified bearer token and from nothing else.

In production tokens come from the identity provider, signed with RS256 or ES256 and checked
against its JWKS (keys are cached, and fetched again when a token names a key not seen yet).
For local use, tokens are signed with a shared secret and minted by `stepwise token`. Either
way the issuer and audience must be the configured ones, and the token must not have expired.

A token verified is remembered for a minute (until it expires, if sooner, and while its key is
still published), so a client sending the same token on every request pays for the signature
check once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cachetools import TTLCache
from starlette.concurrency import run_in_threadpool

from domain.envelope import Actor, Role
from domain.errors import Forbidden
from infra.settings import Settings

LOCAL_ALGORITHM = "HS256"
PROVIDER_ALGORITHMS = ["RS256", "ES256"]
LEEWAY = timedelta(seconds=30)  # clocks of the provider and this server may differ a little
# A token naming a key not seen yet fetches the provider's keys again, at most this often, so
# a flood of made-up key ids cannot turn into a flood of requests to the provider.
JWKS_REFETCH_SECONDS = 5.0
# Roles whose tokens must name the services they reach: a token that forgot them reaches none.
SCOPED_ROLES = frozenset({Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER, Role.INSPECTOR})
WRITE_SCOPE = "records:write"  # in an integration client's `scope`: it may record, as staff do
# How long a verified token's claims are reused (each time, a provider's token only while its
# key is still in the key set as last fetched).
VERIFIED_FOR_SECONDS = 60.0
MOST_REMEMBERED = 10_000  # tokens: far more than clients at once, and a bounded memory


class Unauthenticated(Exception):
    """No token, or one that does not verify: the request is not served."""


class IdentityProviderUnavailable(Exception):
    """The provider's keys could not be fetched: the token may be good, so retry."""


@dataclass(frozen=True)
class Caller:
    actor: Actor
    tenant_id: str
    services: frozenset[str] | None  # None: every service of the tenant
    expires_at: datetime
    grant_expires_at: datetime | None = None  # an inspector's grant to inspect
    writes_granted: bool = False
    organisation: str | None = None  # an integration client's, if its token names one

    @property
    def shares_with(self) -> frozenset[str] | None:
        """For an integration client, the recipients a person's consent to share must name
        (its own id, or its organisation's) for it to reach the person's records; None for
        everyone else, whom consent to share does not gate."""
        if self.actor.role is not Role.INTEGRATION_CLIENT:
            return None
        return frozenset(r for r in (self.actor.id, self.organisation) if r)

    def reaches(self, tenant_id: str, service_id: str | None) -> bool:
        """Whether a record of this provider and service is within the caller's access."""
        if tenant_id != self.tenant_id:
            return False
        return self.services is None or service_id in self.services


class Authenticator:
    @property
    def fetches_keys(self) -> bool:
        """Whether verifying may fetch the identity provider's keys (so may block)."""
        return self._jwks is not None

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._verified_claims: TTLCache[str, dict[str, Any]] = TTLCache(
            MOST_REMEMBERED, VERIFIED_FOR_SECONDS
        )
        self._verified_lock = threading.Lock()  # the cache is not safe across threads alone
        self._jwks: jwt.PyJWKClient | None = None
        if settings.auth_jwks_url:
            # The provider's key set is cached (5 minutes) but single keys are not: a key the
            # provider has withdrawn stops verifying once the set is next fetched.
            self._jwks = jwt.PyJWKClient(
                settings.auth_jwks_url, timeout=5, cooldown_duration=JWKS_REFETCH_SECONDS
            )

    def caller(self, authorization: str | None) -> Caller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "send a bearer token: `Authorization: Bearer <token>` (locally, `stepwise token` "
                "mints one)"
            )
        claims = self._verified(token.strip())
        try:
            role = Role.named(str(claims["role"]))
        except Forbidden as unknown:
            raise Unauthenticated(str(unknown)) from None
        services = claims.get("services")
        if role in SCOPED_ROLES and services is None:
            raise Unauthenticated(
                f"the token was refused: a {role.value} token must name its services "
                "(the `services` claim)"
            )
        grant = claims.get("grant_expires")
        if role is Role.INSPECTOR and not isinstance(grant, int):
            raise Unauthenticated(
                "the token was refused: an inspector's token must say when their grant ends "
                "(the `grant_expires` claim, seconds since the epoch)"
            )
        return Caller(
            actor=Actor(str(claims["sub"]), str(claims.get("name") or claims["sub"]), role),
            tenant_id=str(claims["tenant"]),
            services=frozenset(services) if services is not None else None,
            expires_at=_instant(claims["exp"], "exp"),
            grant_expires_at=_instant(grant, "grant_expires") if isinstance(grant, int) else None,
            writes_granted=role is Role.INTEGRATION_CLIENT
            and WRITE_SCOPE in str(claims.get("scope", "")).split(),
            organisation=str(claims["org"]) if claims.get("org") else None,
        )

    def _verified(self, token: str) -> dict[str, Any]:
        """The token's claims, checked once and then remembered while they hold."""
        with self._verified_lock:
            claims = self._verified_claims.get(token)
        if (
            claims is not None
            and time.time() <= claims["exp"] + LEEWAY.total_seconds()
            and self._key_still_published(token)
        ):
            return claims
        claims = self._verify(token)
        with self._verified_lock:
            self._verified_claims[token] = claims
        return claims

    def _key_still_published(self, token: str) -> bool:
        """A provider's token is reused only while its key is in the provider's key set as
        last fetched: a withdrawn key stops verifying as soon as the set shows it gone."""
        if self._jwks is None or _algorithm(token) == LOCAL_ALGORITHM:
            return True
        try:
            self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWTError:
            return False  # verified afresh, which says why
        return True

    def _verify(self, token: str) -> dict[str, Any]:
        settings = self._settings
        options: Any = {"require": ["exp", "iat", "iss", "aud", "sub", "role", "tenant"]}
        try:
            if self._jwks is not None and _algorithm(token) != LOCAL_ALGORITHM:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = PROVIDER_ALGORITHMS
            elif settings.auth_secret is not None:
                key, algorithms = settings.auth_secret.get_secret_value(), [LOCAL_ALGORITHM]
            else:
                raise Unauthenticated("no way to verify tokens is configured on this server")
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=settings.auth_audience,
                issuer=settings.auth_issuer,
                leeway=LEEWAY,
                options=options,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired: get a new one") from None
        except jwt.PyJWKClientConnectionError:
            raise IdentityProviderUnavailable(
                "the identity provider's keys could not be fetched; retry shortly"
            ) from None
        except (jwt.PyJWTError, TypeError, ValueError) as error:  # a key of another type, too
            raise Unauthenticated(f"the token was refused: {error}") from None
        _check_claims(claims)
        return claims


def _check_claims(claims: dict[str, Any]) -> None:
    """Claims of the wrong shape are refused, never read loosely: a `services` claim that is
    not a list must not come to mean every service."""
    texts = ("sub", "tenant", "role")
    if not all(isinstance(claims.get(name), str) and claims[name].strip() for name in texts):
        raise Unauthenticated("the token was refused: sub, tenant and role must be non-empty text")
    services = claims.get("services")
    if services is not None and not (
        isinstance(services, list) and all(isinstance(s, str) and s.strip() for s in services)
    ):
        raise Unauthenticated("the token was refused: services must be a list of service ids")
    grant = claims.get("grant_expires")
    if grant is not None and (isinstance(grant, bool) or not isinstance(grant, int)):
        raise Unauthenticated("the token was refused: grant_expires must be an epoch time")
    if not isinstance(claims.get("scope", ""), str):
        raise Unauthenticated("the token was refused: scope must be space-separated text")
    if not isinstance(claims.get("org", ""), str):
        raise Unauthenticated("the token was refused: org must be an organisation's id as text")


def _algorithm(token: str) -> str:
    try:
        return str(jwt.get_unverified_header(token).get("alg"))
    except jwt.InvalidTokenError as error:
        raise Unauthenticated(f"the token was refused: {error}") from None


def mint(
    settings: Settings,
    *,
    subject: str,
    name: str,
    role: Role,
    tenant_id: str,
    services: list[str] | None = None,
    expires_in: timedelta = timedelta(hours=8),
    grant_expires: datetime | None = None,
    scope: str | None = None,
    organisation: str | None = None,
) -> str:
    """A token signed with the local secret, for development, demos and tests."""
    if settings.auth_secret is None:
        raise ValueError("set STEPWISE_AUTH_SECRET to mint tokens")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "name": name,
        "role": role.value,
        "tenant": tenant_id,
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "exp": now + expires_in,
    }
    if services is not None:
        claims["services"] = services
    if grant_expires is not None:
        claims["grant_expires"] = int(grant_expires.timestamp())
    if scope is not None:
        claims["scope"] = scope
    if organisation is not None:
        claims["org"] = organisation
    return jwt.encode(claims, settings.auth_secret.get_secret_value(), LOCAL_ALGORITHM)


def _instant(seconds: Any, claim: str) -> datetime:
    """A time claim (seconds since the epoch) as an instant; a token naming one beyond the
    calendar (year 9999) is refused like any other malformed token."""
    try:
        return datetime.fromtimestamp(int(seconds), UTC)
    except (OverflowError, OSError, ValueError, TypeError):
        raise Unauthenticated(
            f"the token was refused: its `{claim}` claim is not a time (seconds since the "
            "epoch, before the year 9999)"
        ) from None


async def caller_of(authenticator: Authenticator, headers: Mapping[str, str]) -> Caller:
    """The caller a request's bearer token names (verified off the event loop when the keys
    may have to be fetched from the identity provider)."""
    header = headers.get("authorization")
    if authenticator.fetches_keys:
        return await run_in_threadpool(authenticator.caller, header)
    return authenticator.caller(header)
