"""Which roles may issue which commands. Readers (inspectors, commissioners) never write."""

from __future__ import annotations

from domain.envelope import Actor, Role
from domain.errors import Forbidden

STAFF = frozenset({Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER, Role.MANAGER})

RESTRICTED_COMMANDS: dict[str, frozenset[Role]] = {
    "agree_support_plan": frozenset({Role.MANAGER}),
}


def authorise(actor: Actor, command: str) -> None:
    known = {role.value for role in Role}
    if actor.role not in known:
        raise Forbidden(f"unknown role {actor.role!r}; known roles: {sorted(known)}")
    allowed = RESTRICTED_COMMANDS.get(command, STAFF)
    if Role(actor.role) not in allowed:
        names = sorted(role.value for role in allowed)
        raise Forbidden(f"{command} needs one of the roles {names}; {actor.name} is {actor.role}")
