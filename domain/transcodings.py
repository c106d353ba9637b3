"""How the domain's value objects are stored inside events and snapshots.

The names are stored with every event: never rename one without keeping the old name decodable.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.envelope import Actor, Envelope


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """Stores a frozen dataclass as a dict of its fields; nested values are transcoded too."""

    def __init__(self, cls: type, name: str) -> None:
        self.type = cls
        self.name = name
        self._fields = tuple(f.name for f in fields(cls))  # looked up once, not per value

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


SHARED: dict[str, type] = {"actor": Actor, "envelope": Envelope}  # in every event


def value_types() -> dict[str, type]:
    """What every event holds, and what each kind of record declares its events hold."""
    from domain.catalogue import DECLARED  # declarations are found once the domain is loaded

    found = dict(SHARED)
    for declared in DECLARED:
        for name, value_type in declared.value_types.items():
            if found.setdefault(name, value_type) is not value_type:
                raise RuntimeError(f"two value types are stored as {name!r}")
    return found


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for name, cls in value_types().items():
        transcoder.register(DataclassAsDict(cls, name))
