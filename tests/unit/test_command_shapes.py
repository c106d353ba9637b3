"""Every command's fields are checked against their shapes (lengths, ranges, control
characters) when the domain decides, whoever calls it: `execute` directly refuses out-of-range
values with the same rule ids as the GraphQL edge, and stores nothing."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from enum import Enum
from typing import Annotated, Any

import pytest
from annotated_types import Ge, Le, MaxLen, MinLen

from domain.care_records import CareRecords
from domain.catalogue import REGISTRY
from domain.commands import Command
from domain.envelope import Actor, Role
from domain.errors import RulesViolated
from tests.support.scenarios import MANAGER, context

ADMIN = Actor("u-ada", "Ada Price", Role.TENANT_ADMIN)
COMMANDS = sorted((registration.command for registration in REGISTRY), key=lambda c: c.__name__)


def valid(hint: Any, name: str) -> Any:
    """A value of the field's type that fits its shape."""
    base, *meta = _split(hint)
    if _optional(base):
        return valid(_inner(base), name)
    if typing.get_origin(base) is list:
        return [valid(typing.get_args(base)[0], name)]
    if isinstance(base, type) and issubclass(base, Enum):
        return next(iter(base))
    values = {str: "x", int: 1 if not any(isinstance(m, Ge) for m in meta) else _low(meta),
              float: 1.0, bool: True, date: date(2026, 1, 1)}  # fmt: skip
    return values.get(base, "x")


def _split(hint: Any) -> tuple[Any, ...]:
    """A type and its shape's limits."""
    return typing.get_args(hint) if typing.get_origin(hint) is Annotated else (hint,)


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _inner(hint: Any) -> Any:
    return next(arg for arg in typing.get_args(hint) if arg is not type(None))


def _low(meta: list[Any]) -> int:
    return next(int(m.ge) for m in meta if isinstance(m, Ge))


def broken(hint: Any) -> Any | None:
    """A value of the field's type that breaks its shape, if the shape has a limit."""
    base, *meta = _split(hint)
    if _optional(base):
        return broken(_inner(base))
    for limit in meta:
        if isinstance(limit, Le):
            return limit.le + 1
        if isinstance(limit, Ge):
            return limit.ge - 1
        if isinstance(limit, MaxLen):
            return "x" * (limit.max_length + 1) if typing.get_origin(base) is not list else (
                ["x"] * (limit.max_length + 1))  # fmt: skip
        if isinstance(limit, MinLen):
            return ""
    if base is str:
        return "a\u0085b"  # a C1 control character
    return None


def cases() -> list[tuple[type[Command], str, Any]]:
    found = []
    for command in COMMANDS:
        hints = typing.get_type_hints(command, include_extras=True)
        for field in dataclasses.fields(command):
            value = broken(hints[field.name])
            if value is not None:
                found.append((command, field.name, value))
    return found


def label(value: Any) -> str:
    return value.__name__ if isinstance(value, type) else str(value)[:12]


@pytest.mark.parametrize("command, field, value", cases(), ids=label)
def test_a_command_out_of_shape_is_refused_by_the_domain_with_a_rule_id(
    records: CareRecords, command: type[Command], field: str, value: Any
) -> None:
    hints = typing.get_type_hints(command, include_extras=True)
    values = {f.name: valid(hints[f.name], f.name) for f in dataclasses.fields(command)}
    values[field] = value
    position = records.last_position()

    registration = next(r for r in REGISTRY if r.command is command)
    actor = MANAGER if MANAGER.role in registration.roles else ADMIN  # one who may issue it
    with pytest.raises(RulesViolated) as refusal:
        records.execute(context(actor, "Checking shapes"), command(**values))

    assert any(v.rule.startswith("input.") for v in refusal.value.violations)
    assert records.last_position() == position


def test_every_command_with_fields_has_one_whose_shape_is_checked() -> None:
    with_fields = {command for command in COMMANDS if dataclasses.fields(command)}
    assert {command for command, _, _ in cases()} == with_fields
