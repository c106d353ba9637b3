"""Who, when, why and where: the envelope every event carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import Rules


class Role(StrEnum):
    SUPPORT_WORKER = "support_worker"
    SENIOR_SUPPORT_WORKER = "senior_support_worker"
    MANAGER = "manager"
    COMMISSIONER = "commissioner"
    INSPECTOR = "inspector"


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class CommandContext:
    """What the caller states about a command: who issues it, for which provider, when and why.

    `effective_at` is when the fact happened or takes effect; None means "now".
    """

    actor: Actor
    tenant_id: str
    correlation_id: str
    effective_at: datetime | None = None
    reason: str | None = None
    causation_id: str | None = None


@dataclass(frozen=True)
class Envelope:
    actor: Actor
    effective_at: datetime
    reason: str | None
    tenant_id: str
    service_id: str | None
    correlation_id: str
    causation_id: str | None = None

    @classmethod
    def seal(
        cls, context: CommandContext, *, service_id: str | None, now: datetime, skew: timedelta
    ) -> Envelope:
        """Fixes the effective time (default: now) and refuses one set in the future."""
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
        rules.enforce()
        reason = context.reason.strip() if context.reason and context.reason.strip() else None
        return cls(
            actor=context.actor,
            effective_at=effective_at,
            reason=reason,
            tenant_id=context.tenant_id,
            service_id=service_id,
            correlation_id=context.correlation_id,
            causation_id=context.causation_id,
        )
