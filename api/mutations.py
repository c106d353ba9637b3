"""The GraphQL mutations, generated from the command registry: one per registered command, with
an input of the command's fields plus what every request says (effective time, reason,
idempotency key and, for a change to an existing record, the expected version).

The command's shape (types, lengths, ranges, control characters) and its meaning are both
checked by the domain when it decides (domain.shapes), whoever calls it; here only what the
request adds to it (reason, expected version) is.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Annotated, Any, Union

import strawberry
from annotated_types import Ge
from pydantic import TypeAdapter, ValidationError
from strawberry.tools import create_type
from strawberry.types import Info
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET

from api.common import Position
from api.context import Context, RequestFields
from api.input_fields import described
from domain.catalogue import REGISTRY
from domain.commands import Change, Command, Registration, Registry, Text
from domain.errors import RulesViolated
from domain.shapes import refuse_control_characters, violations_from
from infra.webhook_signing import signing_secret
from projections.event_records import camel


@strawberry.type(description="What a command stored. Send `position` as the "
                 "X-Stepwise-Wait-For-Position header to read your own write.")  # fmt: skip
class WriteResult:
    record_id: strawberry.ID = strawberry.field(description="The record written")
    version: int = strawberry.field(description="Its version now")
    position: Position = strawberry.field(description="The write's place in the global log")
    part_id: strawberry.ID | None = strawberry.field(
        description="What the command created inside the record, if any: an outcome, an "
        "enablement step, a review, a consent to share, a webhook's secret"
    )
    signing_secret: str | None = strawberry.field(
        default=None,
        description="The webhook's signing secret, when the command set one: shown this once "
        "(a retry with the same idempotency key shows it again); store it to verify deliveries",
    )


@dataclasses.dataclass(frozen=True)
class _Request:
    reason: Text | None = None
    expected_version: Annotated[int, Ge(1)] | None = None


_REQUEST = TypeAdapter(_Request)


INPUT = strawberry.argument(
    description="The command's fields, and what any write may say: when it takes effect, why, "
    "an idempotency key and the version expected"
)


def mutation_type(registry: Registry) -> type:
    fields = [_mutation(registration) for registration in registry]
    return create_type("Mutation", fields, description="Every change, one command each")


def _mutation(registration: Registration) -> StrawberryField:
    command = registration.command
    input_type = _input_type(registration)

    async def resolve(info: Info[Context, None], input: Any) -> WriteResult | None:
        # Who may ask comes before what was asked: a reader gets FORBIDDEN, not a list of rules.
        caller = info.context.caller()
        REGISTRY.authorise(caller.actor, command, writes_granted=caller.writes_granted)
        if len(info.operation.selection_set.selections) > 1:
            info.context.refuse_shared_header_key()
        settings = info.context.runtime.settings
        if command.sets_secret:
            signing_secret(settings, "", "")  # refused before anything is written, if unset
        written = await info.context.execute(_command(command, input), _request(input))
        return WriteResult(
            record_id=strawberry.ID(written.record_id),
            version=written.version,
            position=Position(written.position),
            part_id=strawberry.ID(written.part_id) if written.part_id else None,
            signing_secret=signing_secret(settings, written.record_id, written.part_id or "")
            if command.sets_secret
            else None,
        )

    resolve.__annotations__ = {
        "info": Info[Context, None],
        "input": Annotated[input_type, INPUT],
        "return": WriteResult | None,  # a refusal nulls this mutation, not the others
    }
    resolve.__name__ = command.command_name()
    return strawberry.mutation(
        resolver=resolve, name=camel(command.command_name()), description=_describe(command)
    )


def _input_type(registration: Registration) -> type:
    command = registration.command
    hints = typing.get_type_hints(command, include_extras=True)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for field in dataclasses.fields(command):
        annotations[field.name] = _graphql_type(field.name, hints[field.name])
        default = field.default if field.default is not dataclasses.MISSING else UNSET
        text = described(camel(field.name))
        namespace[field.name] = strawberry.field(default=default, description=text)
    annotations |= {
        "effective_at": datetime | None,
        "reason": str | None,
        "idempotency_key": str | None,
    }
    namespace |= {
        "effective_at": strawberry.field(
            default=None,
            description="When it happened or takes effect (default: now); never in the future",
        ),
        "reason": strawberry.field(
            default=None,
            description="Why; required to change an agreed plan or retire an outcome, move a "
            "person, review a risk decision, reduce or lift a restriction, or mark a fact "
            "entered in error (a refusal names the rule)",
        ),
        "idempotency_key": strawberry.field(
            default=None,
            description="Makes a retry harmless: the same key with the same input returns the "
            "first result and writes nothing (or send the Idempotency-Key header)",
        ),
    }
    if isinstance(registration, Change):
        annotations["expected_version"] = int | None
        namespace["expected_version"] = strawberry.field(
            default=None, description="Refuse with CONFLICT unless the record is at this version"
        )
    namespace["__annotations__"] = annotations
    cls = type(f"{command.__name__}Input", (), namespace)
    return strawberry.input(cls, description=_describe(command))


def _graphql_type(name: str, hint: Any) -> Any:
    """The GraphQL type of a command field: its Python type without the shape constraints,
    with record ids as ID."""
    origin = typing.get_origin(hint)
    if origin is Annotated:
        return _graphql_type(name, typing.get_args(hint)[0])
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _graphql_type(name, inner) | None
    if origin is list:
        return list[_graphql_type(name, typing.get_args(hint)[0])]  # type: ignore[misc]
    if hint is str and name.endswith("_id"):
        return strawberry.ID
    return hint


def _command(command: type[Command], given: Any) -> Command:
    return command(
        **{field.name: getattr(given, field.name) for field in dataclasses.fields(command)}
    )


def _request(given: Any) -> RequestFields:
    expected_version = getattr(given, "expected_version", None)
    try:
        _REQUEST.validate_python({"reason": given.reason, "expected_version": expected_version})
    except ValidationError as error:
        raise RulesViolated(violations_from(error)) from None
    refuse_control_characters({"reason": given.reason})
    return RequestFields(
        effective_at=given.effective_at,
        reason=given.reason,
        expected_version=expected_version,
        idempotency_key=given.idempotency_key,
    )


def _describe(command: type[Command]) -> str:
    return " ".join((command.__doc__ or command.__name__).split())
