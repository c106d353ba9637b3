"""Every kind of record Stepwise keeps, found where each is declared (a module-level
`RECORD_TYPE` anywhere in domain/), and what is derived from them: every command, every event
and the name it is stored under, and what the change feed publishes of each."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from eventsourcing.domain import Aggregate

import domain
from domain import corrections, topics
from domain.commands import Registration, Registry
from domain.publishing import PublishedEvent
from domain.record_type import RecordType


def _declared() -> tuple[RecordType, ...]:
    found: dict[str, RecordType] = {}
    for module in pkgutil.walk_packages(domain.__path__, f"{domain.__name__}."):
        declared = getattr(importlib.import_module(module.name), "RECORD_TYPE", None)
        if isinstance(declared, RecordType):
            if declared.name in found:
                raise RuntimeError(f"{declared.name} is declared twice (in {module.name})")
            found[declared.name] = declared
    return tuple(found[name] for name in sorted(found))


DECLARED: tuple[RecordType, ...] = _declared()
BY_NAME = {kind.name: kind for kind in DECLARED}
RECORD_TYPES = tuple(kind.aggregate for kind in DECLARED)
COMMANDS: list[Registration] = [
    *(registration for kind in DECLARED for registration in kind.commands),
    *corrections.COMMANDS,
]
REGISTRY = Registry(COMMANDS)
ALL_EVENTS = tuple(event for kind in DECLARED for event in kind.events())
PUBLISHED: dict[str, PublishedEvent] = {
    entry.event_type: entry for kind in DECLARED for entry in kind.all_published()
}
SNAPSHOT_EVERY: dict[type[Aggregate], int] = {
    kind.aggregate: kind.snapshot_every for kind in DECLARED if kind.snapshot_every
}


def record_type(record: Any) -> RecordType:
    """The declaration of a record, or of the record an event belongs to."""
    return BY_NAME[type(record).__qualname__.split(".")[0]]


def record_type_of(aggregate: type[Any]) -> RecordType:
    return BY_NAME[aggregate.__name__]


def published(event: Any) -> PublishedEvent:
    """How an event is published, by its type's name as the feed shows it."""
    return PUBLISHED[type(event).__qualname__]


# Stored under their own names, not module paths (domain.topics).
topics.name_classes([*RECORD_TYPES, *ALL_EVENTS])
