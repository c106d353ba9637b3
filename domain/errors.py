"""Refusals the domain can give. Each carries enough for a client to act on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from eventsourcing.persistence import OperationalError


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
    """Refused for who is asking, not for what was asked: `rule` says which access rule."""

    def __init__(self, message: str, rule: str = "access.role") -> None:
        self.rule = rule
        super().__init__(message)


class NotConfigured(DomainError):
    """Refused because the server lacks a setting the command needs: `setting` names it."""

    def __init__(self, message: str, setting: str) -> None:
        self.setting = setting
        super().__init__(message)


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


# Not refusals: the store could not be reached, so nothing was decided. Clients retry.


class NothingWritten(OperationalError):
    """The store was not reached, so the write was never sent: retrying is safe."""


class OutcomeUnknown(Exception):
    """The connection was lost while the write was being committed, and the store could not
    be asked afterwards whether it was: only a retry with the same idempotency key can tell."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        if key is not None:
            advice = "retry with the same idempotency key: the answer says what was stored"
        else:
            advice = (
                "no idempotency key was sent, so read the record to see whether it changed "
                "before repeating the change, and send an idempotency key with every change"
            )
        super().__init__(f"outcome unknown: {advice}")
