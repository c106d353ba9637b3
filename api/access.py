"""Who may read what. Every root query field declares, beside its resolver, the roles that may
read it (`readable_by`); a root field that declares none is refused to everyone (api.schema
makes sure of it). Writes are declared with their commands (domain.commands). Within a field, a
caller reaches only their provider's records, and only the services their token names, if it
names any.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from api.auth import Caller
from domain.catalogue import record_type_of
from domain.envelope import RECORD_READERS, Role
from domain.errors import Forbidden

if TYPE_CHECKING:
    from api.context import Context

EVERYONE = frozenset(Role)
GOVERNANCE = frozenset({Role.MANAGER, Role.TENANT_ADMIN})  # the provider's own oversight
CHECKERS = frozenset({Role.MANAGER, Role.INSPECTOR, Role.COMMISSIONER, Role.TENANT_ADMIN})


def readers_of(*aggregates: type) -> frozenset[Role]:
    """Who may read records of these kinds, as each kind declares (domain.record_type)."""
    roles = [record_type_of(aggregate).readers for aggregate in aggregates]
    return frozenset.intersection(*roles) if roles else RECORD_READERS


def refusal(caller: Caller, field: str, roles: frozenset[Role], now: datetime) -> Forbidden | None:
    """Why the caller may not read this root field at all, if they may not."""
    actor = caller.actor
    if not roles:
        return Forbidden(f"{field} declares no readers; nobody may read it", "access.unlisted")
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
    """The roles a root field may be read by, and the check: a refused read of a person's
    record is logged."""

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        context = info.context
        refused = refusal(context.caller(), info.field_name, self.roles, datetime.now(UTC))
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


def readable_by(roles: frozenset[Role]) -> list[FieldExtension]:
    """The extensions of a root field readable by these roles."""
    return [PermissionExtension(permissions=[MayRead(roles)], use_directives=False)]


def declared_readers(extensions: list[FieldExtension]) -> frozenset[Role] | None:
    """The roles a field's extensions let read it; None if it declares none."""
    for extension in extensions:
        for permission in getattr(extension, "permissions", ()):
            if isinstance(permission, MayRead):
                return permission.roles
    return None


def _record_id(value: object) -> str | None:
    """A record id as stored (lower-case, hyphenated), or None for anything else: the log
    keeps record ids, not whatever text a refused caller sent."""
    try:
        return str(UUID(str(value))) if value is not None else None
    except ValueError:
        return None
