"""The published GraphQL schema: the SDL other systems build against, committed beside this
module as `schema.graphql`, and what a change to the code's schema would do to them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from graphql import build_schema
from graphql.utilities import find_breaking_changes, find_dangerous_changes

PUBLISHED = Path(__file__).with_name("schema.graphql")
EXPORT_COMMAND = "stepwise schema export"


def current_sdl() -> str:
    """The code's schema as SDL: types in name order, fields as declared, ending in a newline,
    so that the same code always prints the same text."""
    from api.schema import schema  # the slices are collected only when the schema is asked for

    return schema.as_str() + "\n"


def read(path: Path) -> str:
    """A published SDL from a file, or from standard input when the path is `-` (e.g. a release's
    copy: `git show v1.0.0:api/schema.graphql`)."""
    return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")


def export(path: Path = PUBLISHED) -> None:
    path.write_text(current_sdl(), encoding="utf-8")


@dataclass(frozen=True)
class Changes:
    """How a schema differs from the published one, each change in plain words."""

    breaking: list[str]  # queries that worked against the published schema may now fail
    dangerous: list[str]  # they still validate, but clients may meet what they do not expect

    def __bool__(self) -> bool:
        return bool(self.breaking or self.dangerous)


def compare(published: str, current: str) -> Changes:
    """Both schemas are read from SDL, so the comparison sees exactly what clients see."""
    old, new = build_schema(published), build_schema(current)
    return Changes(
        breaking=sorted(change.description for change in find_breaking_changes(old, new)),
        dangerous=sorted(change.description for change in find_dangerous_changes(old, new)),
    )


def report(published: str, current: str) -> tuple[list[str], bool]:
    """What `stepwise schema check` says, and whether the change would break clients."""
    changes = compare(published, current)
    lines = []
    for heading, found in [
        ("Breaking: queries that worked may now fail", changes.breaking),
        ("Dangerous: clients may meet values or arguments they do not expect", changes.dangerous),
    ]:
        if found:
            lines += [f"{heading}:", *(f"  - {change}" for change in found)]
    export = f"run `{EXPORT_COMMAND}`"
    if changes.breaking:
        lines.append(f"If intended, {export} and note each breaking change in the release notes.")
    elif current != published:
        lines.append(f"The schema changed without breaking clients; {export} to publish it.")
    else:
        lines.append("The code's schema is the published one.")
    return lines, bool(changes.breaking)
