"""Every error leaves with a stable `extensions.code` and never with a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from graphql.error import GraphQLError
from pydantic import ValidationError
from strawberry.extensions import MaskErrors
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api.waiting import NotReady, TooManyWaiting
from domain.errors import (
    Forbidden,
    IdempotencyKeyReused,
    NotConfigured,
    NothingWritten,
    OutcomeUnknown,
    RecordNotFound,
    RulesViolated,
    VersionConflict,
)
from domain.shapes import violations_from
from infra.access_log import AccessLogFull
from infra.outages import is_transient

log = logging.getLogger("stepwise.api")


def describe(original: BaseException | None) -> tuple[str, str, dict[str, Any]] | None:
    """(code, message, extra extensions) for errors the client can act on; None otherwise."""
    if isinstance(original, ValidationError):
        original = RulesViolated(violations_from(original))
    if isinstance(original, RulesViolated):
        violations = [vars(v) for v in original.violations]
        message = f"refused: {len(violations)} rule(s) broken; see extensions.violations"
        return "VALIDATION_FAILED", message, {"violations": violations}
    if isinstance(original, VersionConflict):
        extra = {"expectedVersion": original.expected, "actualVersion": original.actual}
        return "CONFLICT", str(original), extra
    if isinstance(original, RecordNotFound):
        return "NOT_FOUND", str(original), {}
    if isinstance(original, Forbidden):
        return "FORBIDDEN", str(original), {"rule": original.rule}
    if isinstance(original, NotConfigured):
        return "NOT_CONFIGURED", str(original), {"setting": original.setting}
    if isinstance(original, IdempotencyKeyReused):
        return "IDEMPOTENCY_KEY_REUSED", str(original), {"idempotencyKey": original.key}
    if isinstance(original, OutcomeUnknown):
        return "UNAVAILABLE", str(original), {"retryable": True, "outcome": "unknown"}
    if isinstance(original, NothingWritten):
        message = "the database could not be reached: nothing was written; retry shortly"
        return "UNAVAILABLE", message, {"retryable": True, "outcome": "not_written"}
    if original is not None and is_transient(original):
        message = "the database did not answer in time; retry shortly"
        return "UNAVAILABLE", message, {"retryable": True}
    if isinstance(original, AccessLogFull):
        return "UNAVAILABLE", str(original), {"retryable": True}
    if isinstance(original, TooManyWaiting):
        return "BUSY", str(original), {"retryable": True, "waiting": original.waiting}
    if isinstance(original, NotReady):
        lagging: dict[str, Any] = {"position": original.position}
        if original.parked:
            lagging["readModels"] = original.parked
        return "NOT_READY", str(original), lagging
    return None


class ErrorCodes(MaskErrors):
    """Gives each error a code; masks anything unexpected after logging it in full."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        described = describe(original)
        if described is not None:
            code, message, extra = described
        elif original is None and error.extensions and "code" in error.extensions:
            return error  # refused by a limit on the document (api.limits), with its own code
        elif original is None or error.path is None:
            # Raised by GraphQL itself, outside any field: a malformed document or a wrongly
            # typed variable.
            code, message, extra = "BAD_REQUEST", error.message, {}
        else:
            log.error("unexpected error", exc_info=original)
            code, message, extra = "INTERNAL", "unexpected error; it has been logged", {}
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code, **extra},
        )


def without_data_if_not_run(
    result: ExecutionResult, response: GraphQLHTTPResponse
) -> GraphQLHTTPResponse:
    """A request refused before it ran (a document that does not parse or validate, variables
    that do not fit their types) answers without `data`, as the GraphQL spec asks, not with
    `"data": null`: a client can tell it from a run whose non-null root field failed. Only
    errors raised by a field carry a path, so only they mean the request ran."""
    errors = result.errors or []
    if result.data is None and errors and all(error.path is None for error in errors):
        response.pop("data", None)
    return response
