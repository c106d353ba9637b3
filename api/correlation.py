"""The correlation id of a request: the client's `X-Correlation-Id` when it is one we can store,
otherwise a fresh one. Decided once, by the middleware (api.observed), and then read by the
response header, the request's log line, the access log and every event the request writes."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection

from api.common import plain_text
from domain.errors import RulesViolated, Violation

CORRELATION_ID = "X-Correlation-Id"
MAX_CORRELATION_ID = 200  # characters: it is stored on every event the request writes
STATE_KEY = "correlation"


@dataclass(frozen=True)
class Correlation:
    id: str
    refused: Violation | None = None  # why the client's id was not taken (a fresh one was)


def correlation_from(headers: Headers) -> Correlation:
    given = headers.get(CORRELATION_ID)
    if not given:
        return Correlation(str(uuid4()))
    if len(given) > MAX_CORRELATION_ID:
        too_long = f"at most {MAX_CORRELATION_ID} characters"
        return Correlation(
            str(uuid4()), Violation("input.header.too_long", CORRELATION_ID, too_long)
        )
    try:
        plain_text(given, CORRELATION_ID)
    except RulesViolated as refused:
        # Never echoed back or logged as sent: it could forge a log line or split a header.
        return Correlation(str(uuid4()), refused.violations[0])
    return Correlation(given)


def correlation(connection: HTTPConnection) -> Correlation:
    """The request's correlation, as the middleware decided it (or decided now, for an app
    served without it)."""
    state = connection.scope.setdefault("state", {})
    if STATE_KEY not in state:
        state[STATE_KEY] = correlation_from(connection.headers)
    found: Correlation = state[STATE_KEY]
    return found
