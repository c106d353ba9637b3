"""What a request must be before GraphQL is asked to read it: strawberry parses the body itself
and answers anything unexpected (a body of `null`, bytes that are not UTF-8, variables nested a
thousand deep) with a plain-text 500, so those are answered here, with a code, first."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request

MAX_VARIABLES_DEPTH = 32  # objects and lists within `variables`; inputs nest a few levels
SHAPE = 'send one JSON object: {"query": "...", "variables": {...}}'


async def malformed(request: Request) -> str | None:
    """Why the request cannot be read as GraphQL, or None if it can be tried."""
    if request.method != "POST" or "json" not in request.headers.get("content-type", ""):
        return None
    try:
        document = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return f"the body is not JSON in UTF-8 (or nests too deep): {SHAPE}"
    if isinstance(document, list):
        return f"batches are not taken: {SHAPE} per request"
    if not isinstance(document, dict):
        return f"the body is a JSON {type(document).__name__}, not an object: {SHAPE}"
    if _depth(document.get("variables")) > MAX_VARIABLES_DEPTH:
        return f"`variables` nest more than {MAX_VARIABLES_DEPTH} deep"
    return None


def _depth(value: Any) -> int:
    """How deep objects and lists nest in a JSON value (iteratively: no recursion to exhaust)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return deepest
