"""Commands as data. Each command is a frozen dataclass, registered once with the roles that
may issue it, how its record is found, and the domain method that decides it. One entry point
(`CareRecords.execute`) runs any of them; the GraphQL mutations are generated from the same
registrations.

Access fails closed: a command that is not registered, or a role that is not listed for it,
is refused.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, Protocol, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from annotated_types import Ge, Le, MaxLen, MinLen
from eventsourcing.domain import Aggregate, DomainEvent

from domain.envelope import Actor, Envelope, Role
from domain.errors import Forbidden

# Shapes every command field is checked against at the edge, before any rule runs.
Key = Annotated[str, MinLen(1), MaxLen(100)]
Name = Annotated[str, MaxLen(200)]
Text = Annotated[str, MaxLen(4000)]
LongText = Annotated[str, MaxLen(20000)]
Hours = Annotated[float, Ge(0), Le(168)]

STAFF = frozenset({Role.SUPPORT_WORKER, Role.SENIOR_SUPPORT_WORKER, Role.MANAGER})
MANAGERS = frozenset({Role.MANAGER})

A = TypeVar("A", bound=Aggregate)
A_co = TypeVar("A_co", bound=Aggregate, covariant=True)


class NewIds:
    """Ids for what a command creates. With an idempotency key they are derived from it, so a
    retried request names the same record and parts; without one they are random."""

    def __init__(self, tenant_id: str, idempotency_key: str | None) -> None:
        self._seed = f"stepwise:{tenant_id}:{idempotency_key}" if idempotency_key else None
        self.part_id: str | None = None

    def record(self) -> UUID:
        return uuid5(NAMESPACE_URL, self._seed) if self._seed else uuid4()

    def part(self, kind: str) -> str:
        """An id for an outcome, step or other part created inside a record."""
        token = uuid5(NAMESPACE_URL, f"{self._seed}:{kind}") if self._seed else uuid4()
        self.part_id = f"{kind}-{token.hex[:12]}"
        return self.part_id


@dataclass(frozen=True)
class Command:
    """Base of every command: what the caller asks for, as a frozen dataclass.

    `locators` are the fields that find the record; the other fields are handed to the
    domain method by name, unless a command builds the method's arguments itself.
    `sets_secret`: the command gives the record a secret its result shows once (a webhook's).
    """

    locators: ClassVar[frozenset[str]] = frozenset()
    sets_secret: ClassVar[bool] = False

    @classmethod
    def command_name(cls) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.locators}


C = TypeVar("C", bound=Command)


class Records(Protocol):
    """What finding or creating a record may ask of the application, on the caller's behalf:
    records of another provider are refused before anything else is said about them."""

    tenant_id: str  # the caller's provider

    def owned(self, kind: type[A], record_id: object, field: str, missing: str = "") -> A: ...

    def exists(self, record_id: UUID) -> bool: ...

    def found(self, kind: type[A], record_id: UUID, field: str) -> A | None:
        """The record, or None if there is none: one read where `exists` and `owned` take two."""
        ...

    def history(self, record_id: UUID) -> list[DomainEvent]:
        """A record's events, as recorded."""
        ...

    def about(self, kind: type[A], person_id: str) -> list[A]:
        """Every record of a kind about a person, as it stands."""
        ...

    def service_of(self, record: Aggregate) -> str | None:
        """The service now supporting the person a record is about (or the record's own)."""
        ...

    def creation_correctable(self, record: Aggregate) -> bool: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Found(Generic[A_co]):
    record: A_co | None  # None: the record is begun by the command (Change.start)
    service_id: str | None
    # Other services the command reaches into (a move's destination): the caller's access must
    # cover them too.
    also_reaches: tuple[str, ...] = ()
    # What else the decision needs, read from other records as they stand (by stored links),
    # handed to the domain method by name.
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Other records the decision changes beside this one: saved with it, atomically.
    also_changes: tuple[Aggregate, ...] = ()


class Seal(Protocol):
    def __call__(self, service_id: str | None, causation_id: str | None = None) -> Envelope: ...


@dataclass(frozen=True)
class Change(Generic[C]):
    """A command on an existing record: found, checked against the expected version, decided."""

    command: type[C]
    roles: frozenset[Role]
    find: Callable[[Records, C], Found[Aggregate]]
    decide: Callable[..., None]  # an aggregate method: (record, envelope, **arguments)
    adds: tuple[str, ...] = ()  # the names of what `find` adds to the arguments (Found.extra)
    # For a record kept once per service or provider: how the command begins it when it is not
    # found (its first change then begins it).
    start: Callable[[Envelope, C], Aggregate] | None = None


@dataclass(frozen=True)
class Creation(Generic[C]):
    """A command that starts a new record (first of what it returns; any others it changes are
    saved with it, atomically)."""

    command: type[C]
    roles: frozenset[Role]
    create: Callable[[Records, C, Seal, NewIds], Aggregate | tuple[Aggregate, ...]]


Registration = Change[Any] | Creation[Any]


class Registry:
    def __init__(self, registrations: Iterable[Registration]) -> None:
        self._registrations: dict[type[Command], Registration] = {}
        for registration in registrations:
            if registration.command in self._registrations:
                raise ValueError(f"{registration.command.__name__} is registered twice")
            if isinstance(registration, Change):
                _check_arguments(registration)
            self._registrations[registration.command] = registration

    def __iter__(self) -> Iterator[Registration]:
        return iter(self._registrations.values())

    def authorise(
        self, actor: Actor, command: type[Command], *, writes_granted: bool = False
    ) -> Registration:
        registration = self._registrations.get(command)
        if registration is None:
            raise Forbidden(
                f"{command.command_name()} is not a registered command; nobody may issue it",
                "access.unlisted",
            )
        # An integration client granted writes records what a support worker may, never more.
        granted = actor.role is Role.INTEGRATION_CLIENT and writes_granted
        if granted and Role.SUPPORT_WORKER in registration.roles:
            return registration
        if actor.role not in registration.roles:
            allowed = sorted(role.value for role in registration.roles)
            raise Forbidden(
                f"{command.command_name()} needs one of the roles {allowed}; "
                f"{actor.name} is {actor.role.value}"
            )
        return registration


def _check_arguments(registration: Change[Any]) -> None:
    """A command handing its fields to the domain method by name must match its parameters:
    checked once, at start-up, rather than on the first request that uses it."""
    command = registration.command
    if command.arguments is not Command.arguments:
        return
    given = {f.name for f in fields(command) if f.name not in command.locators}
    given |= set(registration.adds)
    parameters = list(inspect.signature(registration.decide).parameters)[2:]  # self, envelope
    if given != set(parameters):
        raise TypeError(
            f"{command.__name__} gives {sorted(given)} but "
            f"{registration.decide.__qualname__} takes {sorted(parameters)}"
        )
