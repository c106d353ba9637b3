"""Relay-style connections with opaque cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from domain.care_records import LAST_POSSIBLE_POSITION
from domain.errors import RulesViolated, Violation

Node = TypeVar("Node")
Row = TypeVar("Row")

MAX_PAGE = 100
First = Annotated[int, strawberry.argument(description=f"How many items to list: 1 to {MAX_PAGE}")]
After = Annotated[
    str | None,
    strawberry.argument(
        description="List what follows this cursor (an edge's `cursor` or `pageInfo.endCursor` "
        "from this same list); default: from the start"
    ),
]


def encode_cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode()


def decode_cursor(kind: str, cursor: str | None) -> int:
    """The position a cursor stands for; 0 (the start) when there is none."""
    if cursor is None:
        return 0
    try:
        found, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if found == kind and 0 <= int(value) <= LAST_POSSIBLE_POSITION:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise RulesViolated(
        [Violation("input.cursor.invalid", "after", "this cursor was not issued by this list")]
    )


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise RulesViolated(
            [Violation("input.first.range", "first", f"ask for between 1 and {MAX_PAGE} items")]
        )


@strawberry.type(description="Where a page stands in its list")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge; with no edges, the cursor given as `after` (the "
        "change feed's is past every position it examined), so a client can always store it "
        "and resume from there."
    )


@strawberry.type(description="One item of a page, and the cursor to resume after it")
class Edge(Generic[Node]):
    cursor: str = strawberry.field(description="Pass as `after` to list what follows this item")
    node: Node = strawberry.field(description="The item")


@strawberry.type(description="A page of a list, oldest first")
class Connection(Generic[Node]):
    edges: list[Edge[Node]] = strawberry.field(description="The items of this page")
    page_info: PageInfo = strawberry.field(description="Whether more follow, and from where")


def connection(
    rows: Sequence[Row],
    first: int,
    after: str | None,
    kind: str,
    key: Callable[[Row], int],
    to_node: Callable[[Row], Node],
) -> Connection[Node]:
    """Builds a page from `first + 1` rows: the extra row only says whether more follow."""
    page = rows[:first]
    edges = [Edge(cursor=encode_cursor(kind, key(row)), node=to_node(row)) for row in page]
    end_cursor = edges[-1].cursor if edges else after
    return Connection(
        edges=edges, page_info=PageInfo(has_next_page=len(rows) > first, end_cursor=end_cursor)
    )


@dataclass(frozen=True)
class Window:
    """The rows of an ordered list a page needs: `limit` of them after the first `offset` (one
    more than the page shows, to say whether more follow)."""

    first: int
    offset: int

    @property
    def limit(self) -> int:
        return self.first + 1


def window(first: int, after: str | None, kind: str) -> Window:
    """Where the page after a cursor lies in its list; the cursor is a place in the list's
    order: asked with the same asOf and asKnownAt, the list stays put from page to page (at
    "now", what was recorded in between may shift it)."""
    check_page_size(first)
    return Window(first, decode_cursor(kind, after))


def windowed(
    rows: Sequence[Row], at: Window, after: str | None, kind: str, to_node: Callable[[Row], Node]
) -> tuple[Connection[Node], Sequence[Row]]:
    """A page from the rows of its window (the database cut the list), and the rows it shows."""
    numbered = list(enumerate(rows[: at.limit], start=at.offset + 1))
    page = connection(numbered, at.first, after, kind, lambda item: item[0],
                      lambda item: to_node(item[1]))  # fmt: skip
    return page, [row for _, row in numbered[: at.first]]


def listed(
    rows: Sequence[Row], first: int, after: str | None, kind: str, to_node: Callable[[Row], Node]
) -> tuple[Connection[Node], Sequence[Row]]:
    """A page of a list its read model answers whole and ordered, and the rows it shows."""
    at = window(first, after, kind)
    return windowed(rows[at.offset :], at, after, kind, to_node)
