"""Refusals the domain can give. Each carries enough for a client to act on it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable id clients can match on, the field it concerns, and why."""

    rule: str
    field: str
    message: str


class DomainError(Exception):
    """Base of every refusal; the API turns each subclass into one stable error code."""


class RulesViolated(DomainError):
    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{v.rule}: {v.message}" for v in violations))


class RecordNotFound(DomainError):
    def __init__(self, kind: str, record_id: object, message: str = "") -> None:
        self.kind = kind
        self.record_id = str(record_id)
        super().__init__(message or f"no {kind} with id {record_id}")


class VersionConflict(DomainError):
    def __init__(self, record_id: object, expected: int, actual: int) -> None:
        self.record_id = str(record_id)
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"record {record_id} is at version {actual}, not the expected {expected}: "
            "reload it and decide again"
        )


class Forbidden(DomainError):
    pass


@dataclass
class Rules:
    """Collects every broken rule so one refusal reports them all at once."""

    violations: list[Violation] = field(default_factory=list)

    def check(self, holds: bool, rule: str, field: str, message: str) -> None:
        if not holds:
            self.violations.append(Violation(rule, field, message))

    def require_text(self, value: str | None, rule: str, field: str, what: str) -> None:
        self.check(bool(value and value.strip()), rule, field, f"{what} is required")

    def enforce(self) -> None:
        if self.violations:
            raise RulesViolated(self.violations)


class IdempotencyKeyReused(DomainError):
    """The key was first sent with another request; a retry must repeat its request exactly."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"idempotency key {key!r} was already used for a different request: "
            "send a new key for a new request, or repeat the first request exactly"
        )
