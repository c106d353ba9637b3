"""Every command's shape, checked whenever the domain decides, whoever calls it: each field
against its annotation (types, lengths, ranges: domain.commands), and no control characters in
any text (they mean nothing in a care record, and PostgreSQL cannot even store NUL).

The GraphQL edge relies on this too, so a rule broken through the API and through `execute`
directly is reported the same way, with the same rule ids (`input.<kind>`).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from pydantic import TypeAdapter, ValidationError

from domain.errors import RulesViolated, Violation

# Tab, newline and carriage return are text; the rest below space, DEL, and the C1 range are
# terminal control codes.
CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]) - set("\t\n\r")
CONTROL_MESSAGE = "text may not contain control characters (tab and line breaks are fine)"


def check_shape(command: Any) -> None:
    """Refuses a command whose fields do not fit their annotations, naming every one."""
    values = {f.name: getattr(command, f.name) for f in fields(command)}
    try:
        _adapter(type(command)).validate_python(values)
    except ValidationError as error:
        raise RulesViolated(violations_from(error)) from None
    refuse_control_characters(values)


def refuse_control_characters(values: dict[str, Any]) -> None:
    violations = [
        Violation("input.text.control_character", camel(name), CONTROL_MESSAGE)
        for name, value in values.items()
        if any(CONTROL_CHARACTERS.intersection(text) for text in _texts(value))
    ]
    if violations:
        raise RulesViolated(violations)


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.intersection(text))


def has_lone_surrogates(text: str) -> bool:
    """Whether the text holds halves of UTF-16 pairs: no character, and no database stores it."""
    return any("\ud800" <= character <= "\udfff" for character in text)


def violations_from(error: ValidationError) -> list[Violation]:
    """Shape errors, in the same form as the domain's rule violations."""
    return [
        Violation(
            rule=f"input.{detail['type']}",
            field=".".join(camel(str(part)) for part in detail["loc"]),
            message=detail["msg"],
        )
        for detail in error.errors()
    ]


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}  # one per command class, built when first used


def _adapter(command: type) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(command)
    if adapter is None:
        adapter = _ADAPTERS[command] = TypeAdapter(command)
    return adapter


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []
