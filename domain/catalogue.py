"""Every kind of record Stepwise keeps, the commands on it, and every event each can record:
a new kind of record is registered here (and its read model in projections/__init__.py)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, CanInitAggregate

from domain import (
    assessment_commands,
    evidence_note,
    person_commands,
    progression_commands,
    provider_policy,
    risk_commands,
    service_practice,
    support_plan_commands,
    topics,
)
from domain.assessment import Assessment
from domain.commands import Registration
from domain.evidence_note import EvidenceNote
from domain.person import Person
from domain.provider_policy import ProviderPolicy
from domain.restriction import Restriction
from domain.risk_decision import RiskDecision
from domain.service_practice import ServicePractice
from domain.support_plan import SupportPlan

RECORD_TYPES: tuple[type[Aggregate], ...] = (Person, Assessment, SupportPlan, EvidenceNote,
                                             ServicePractice, RiskDecision, Restriction,
                                             ProviderPolicy)  # fmt: skip
COMMANDS: list[Registration] = [
    *person_commands.COMMANDS,
    *assessment_commands.COMMANDS,
    *support_plan_commands.COMMANDS,
    *progression_commands.COMMANDS,
    *evidence_note.COMMANDS,
    *service_practice.COMMANDS,
    *risk_commands.COMMANDS,
    *provider_policy.COMMANDS,
]


def event_classes(record_type: type[Aggregate]) -> list[type[Any]]:
    """The events a record type can record, in the order its class declares them. The
    library's default `Created` class is left out where the record starts with its own."""
    found = [
        value
        for value in vars(record_type).values()
        if isinstance(value, type)
        and issubclass(value, record_type.Event)
        and value is not record_type.Event
    ]
    starts = [event for event in found if issubclass(event, CanInitAggregate)]
    if len(starts) > 1:
        found = [event for event in found if event.__name__ != "Created"]
    return found


ALL_EVENTS = tuple(event for kind in RECORD_TYPES for event in event_classes(kind))

# Stored under their own names, not module paths (domain.topics).
topics.name_classes([*RECORD_TYPES, *ALL_EVENTS])
