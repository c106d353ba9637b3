"""Who, when, why and where: the envelope every event carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from domain.errors import Forbidden, Rules


class Role(StrEnum):
    SUPPORT_WORKER = "support_worker"
    SENIOR_SUPPORT_WORKER = "senior_support_worker"
    MANAGER = "manager"
    COMMISSIONER = "commissioner"
    INSPECTOR = "inspector"
    INTEGRATION_CLIENT = "integration_client"
    TENANT_ADMIN = "tenant_admin"

    @classmethod
    def named(cls, name: str) -> Role:
        """The role a caller claims, by value or by enum name; an unknown one is refused."""
        found = cls._value2member_map_.get(name)
        if found is not None:
            return found  # type: ignore[return-value]
        for role in cls:
            if name in (role.value, role.name):
                return role
        known = sorted(role.value for role in cls)
        raise Forbidden(f"unknown role {name!r}; known roles: {known}", "access.unknown_role")


# Who may read care records (a tenant admin keeps the provider's settings, not its records).
RECORD_READERS = frozenset({
    Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER, Role.MANAGER, Role.COMMISSIONER,
    Role.INSPECTOR, Role.INTEGRATION_CLIENT,
})  # fmt: skip


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    role: Role

    def __post_init__(self) -> None:
        # Stored events hold the role's text; reading them back gives the enum again.
        if not isinstance(self.role, Role):
            object.__setattr__(self, "role", Role.named(str(self.role)))


@dataclass(frozen=True)
class CommandContext:
    """What the caller states about a command: who issues it, for which provider, when, why,
    which version of the record they decided on, and the key that makes a retry harmless.

    `effective_at` is when the fact happened or takes effect; None means "now". `services`
    are those the caller's access covers (None: every service of the provider);
    `writes_granted` marks an integration client allowed to write.
    """

    actor: Actor
    tenant_id: str
    correlation_id: str
    effective_at: datetime | None = None
    reason: str | None = None
    causation_id: str | None = None
    expected_version: int | None = None
    idempotency_key: str | None = None
    services: frozenset[str] | None = None
    writes_granted: bool = False

    def check_service(self, service_id: str | None) -> None:
        """Refuses a record outside the services the caller's access covers."""
        if self.services is not None and service_id not in self.services:
            raise Forbidden(
                f"the record is in service {service_id!r}; {self.actor.name}'s access covers "
                f"{sorted(self.services)}",
                "access.service",
            )


# No care record takes effect before this: an earlier time is a typing error (0001-01-01).
EARLIEST_EFFECTIVE_AT = datetime(1900, 1, 1, tzinfo=UTC)


def event_id(record_id: object, version: int) -> str:
    """How one event is named in causation ids: its record and the version it wrote."""
    return f"{record_id}/{version}"


@dataclass(frozen=True)
class Envelope:
    actor: Actor
    effective_at: datetime
    reason: str | None
    tenant_id: str
    service_id: str | None
    correlation_id: str
    causation_id: str | None = None

    def __post_init__(self) -> None:
        # One instant, one spelling: effective times are kept in UTC, whatever offset the
        # client sent (events stored before this rule are normalised as they are read).
        if self.effective_at.tzinfo is not None and self.effective_at.utcoffset():
            object.__setattr__(self, "effective_at", self.effective_at.astimezone(UTC))

    @classmethod
    def seal(
        cls,
        context: CommandContext,
        *,
        service_id: str | None,
        now: datetime,
        skew: timedelta,
        causation_id: str | None = None,
    ) -> Envelope:
        """Fixes the effective time (default: now) and refuses one set in the future; a time
        ahead of the clock by less than the allowed skew is taken as now, so no fact is ever
        effective after it was recorded."""
        context.check_service(service_id)
        effective_at = context.effective_at or now
        rules = Rules()
        rules.check(
            effective_at.tzinfo is not None,
            "envelope.effective_at.timezone",
            "effectiveAt",
            "the effective time must include a timezone offset",
        )
        if effective_at.tzinfo is not None:
            rules.check(
                effective_at <= now + skew,
                "envelope.effective_at.future",
                "effectiveAt",
                "the effective time cannot be in the future: record facts once they happen",
            )
            rules.check(
                effective_at >= EARLIEST_EFFECTIVE_AT,
                "envelope.effective_at.too_early",
                "effectiveAt",
                f"the effective time cannot be before {EARLIEST_EFFECTIVE_AT.date()}: "
                "check the year",
            )
        rules.enforce()
        effective_at = min(effective_at.astimezone(UTC), now)
        reason = context.reason.strip() if context.reason and context.reason.strip() else None
        return cls(
            actor=context.actor,
            effective_at=effective_at,
            reason=reason,
            tenant_id=context.tenant_id,
            service_id=service_id,
            correlation_id=context.correlation_id,
            causation_id=causation_id or context.causation_id,
        )
