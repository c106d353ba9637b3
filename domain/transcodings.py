"""How the domain's value objects are stored inside events and snapshots.

The names are stored with every event: never rename one without keeping the old name decodable.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.assessment import Contribution
from domain.envelope import Actor, Envelope
from domain.evidence_note import Observation
from domain.outcome import EnablementStep, Outcome
from domain.pathway import Stage
from domain.person import Advocate, ConsentToShare
from domain.restriction import RestrictionTerms
from domain.review import Review
from domain.risk_decision import RiskParts


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


VALUE_TYPES: dict[str, type] = {
    "actor": Actor,
    "envelope": Envelope,
    "advocate": Advocate,
    "consent_to_share": ConsentToShare,
    "contribution": Contribution,
    "enablement_step": EnablementStep,
    "outcome": Outcome,
    "pathway_stage": Stage,
    "review": Review,
    "observation": Observation,
    "risk_parts": RiskParts,
    "restriction_terms": RestrictionTerms,
}


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for name, cls in VALUE_TYPES.items():
        transcoder.register(DataclassAsDict(cls, name))
