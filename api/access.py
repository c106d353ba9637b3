"""Who may read what. Every root query field is listed here with the roles that may read it;
a field not listed is refused to everyone (writes are listed with their commands, in
domain.commands). Within a field, a caller reaches only their provider's records, and only
the services their token names, if it names any.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from api.auth import Caller
from domain.envelope import Role
from domain.errors import Forbidden

if TYPE_CHECKING:
    from api.context import Context

RECORD_READERS = frozenset({
    Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER, Role.MANAGER, Role.COMMISSIONER,
    Role.INSPECTOR, Role.INTEGRATION_CLIENT,
})  # fmt: skip
EVERYONE = frozenset(Role)

READS: dict[str, frozenset[Role]] = {
    "person": RECORD_READERS,
    "people": RECORD_READERS,
    "assessment": RECORD_READERS,
    "supportPlan": RECORD_READERS,
    "planHistory": RECORD_READERS,
    "planDiff": RECORD_READERS,
    "auditTrail": RECORD_READERS,
    "events": RECORD_READERS,
    "auditIntegrity": frozenset(
        {Role.MANAGER, Role.INSPECTOR, Role.COMMISSIONER, Role.TENANT_ADMIN}
    ),
    "accessLog": frozenset({Role.MANAGER, Role.TENANT_ADMIN}),
    "progressionTimeline": RECORD_READERS,
    "reviews": RECORD_READERS,
    "reviewSchedule": RECORD_READERS,
    "repeatReviews": RECORD_READERS,
    "riskDecisions": RECORD_READERS,
    "restrictions": RECORD_READERS,
    "restrictionsDueForReview": RECORD_READERS,
    "restrictionsInForce": RECORD_READERS,
    "restrictivePracticeTrend": RECORD_READERS,
    "alignmentFindings": RECORD_READERS,
    "publishedEventTypes": EVERYONE,  # documentation of the feed, no records
    "projectionPositions": EVERYONE,
}


def refusal(caller: Caller, field: str, now: datetime) -> Forbidden | None:
    """Why the caller may not read this root field at all, if they may not."""
    roles = READS.get(field)
    actor = caller.actor
    if roles is None:
        return Forbidden(f"{field} is not in the read table; nobody may read it", "access.unlisted")
    if actor.role not in roles:
        allowed = sorted(role.value for role in roles)
        return Forbidden(f"{field} needs one of the roles {allowed}; {actor.name} is "
                         f"{actor.role.value}")  # fmt: skip
    if caller.grant_expires_at is not None and caller.grant_expires_at <= now:
        return Forbidden(
            f"{actor.name}'s grant to inspect ended at {caller.grant_expires_at.isoformat()}; "
            "the provider can grant access again through its identity provider",
            "access.grant_expired",
        )
    return None


class MayRead(BasePermission):
    """Applies the read table to a root field, and logs a refused read of a person's record."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        context = info.context
        refused = refusal(context.caller(), info.field_name, datetime.now(UTC))
        if refused is None:
            context.check_purpose()
            return True
        named = kwargs.get("person_id") or kwargs.get("id") or kwargs.get("stream_id")
        record_id = _record_id(named)
        person_id = _record_id(kwargs.get("person_id")) or (
            record_id if info.field_name == "person" else None
        )
        context.log_refused(info.field_name, str(refused), person_id, record_id)
        raise refused


def _record_id(value: object) -> str | None:
    """A record id as stored (lower-case, hyphenated), or None for anything else: the log
    keeps record ids, not whatever text a refused caller sent."""
    try:
        return str(UUID(str(value))) if value is not None else None
    except ValueError:
        return None


def guarded() -> FieldExtension:
    return PermissionExtension(permissions=[MayRead()], use_directives=False)
