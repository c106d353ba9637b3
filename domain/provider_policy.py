"""A provider's own policy: how long a restriction may go between reviews, and the techniques
its staff are signed off in beyond the standard ones.

DOMAIN: restrictions are time-limited; three months between reviews unless the provider sets
another limit (between a week and a year). Every provider signs staff off in at least the
standard strengths-based techniques (domain.staff.Technique) and may add its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from annotated_types import Ge, Le
from eventsourcing.domain import event

from domain.commands import MANAGERS, Change, Command, Found, Key, Records, Registration, Text
from domain.envelope import RECORD_READERS, Envelope, Role
from domain.errors import Rules
from domain.publishing import Field, PublishedEvent
from domain.record import Record
from domain.record_type import RecordType
from domain.staff import STANDARD_TECHNIQUES

DEFAULT_RESTRICTION_REVIEW_DAYS = 92  # three months


class ProviderPolicy(Record):
    @staticmethod
    def create_id(tenant_id: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"stepwise:provider-policy:{tenant_id}")

    @event("Started")
    def __init__(self, envelope: Envelope, id: UUID | None = None) -> None:
        self.tenant_id = envelope.tenant_id
        self.restriction_review_days = DEFAULT_RESTRICTION_REVIEW_DAYS
        self.techniques: dict[str, str] = {}  # the provider's own, by key: what each is

    def set_restriction_review_limit(self, envelope: Envelope, days: int) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(days != self.restriction_review_days, "policy.restriction_review.no_change",
                    "days", f"the limit is already {days} days")  # fmt: skip
        rules.enforce()
        self._limit_set(envelope, days)

    @event("RestrictionReviewLimitSet")
    def _limit_set(self, envelope: Envelope, days: int) -> None:
        self.restriction_review_days = days

    def add_technique(self, envelope: Envelope, technique: str, description: str) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        key = technique_key(technique)
        rules.check(TECHNIQUE_KEY.fullmatch(key) is not None, "policy.technique.invalid",
                    "technique", "a technique's name is letters, digits and underscores, "
                    "starting with a letter (for example TRAVEL_TRAINING)")  # fmt: skip
        rules.check(key not in self.known_techniques(), "policy.technique.known", "technique",
                    f"{key.upper()} is a technique already")  # fmt: skip
        rules.require_text(description, "policy.technique.description_required", "description",
                           "what the technique is")  # fmt: skip
        rules.enforce()
        self._technique_added(envelope, key, description.strip())

    @event("TechniqueAdded")
    def _technique_added(self, envelope: Envelope, technique: str, description: str) -> None:
        self.techniques = {**self.techniques, technique: description}

    def known_techniques(self) -> frozenset[str]:
        return frozenset(STANDARD_TECHNIQUES | set(self.techniques))


TECHNIQUE_KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")


def technique_key(technique: str) -> str:
    """How a technique is kept: PROMPT_LADDER as given over GraphQL is kept as prompt_ladder."""
    return technique.strip().lower()


def known_techniques(records: Records) -> frozenset[str]:
    """The standard techniques and the provider's own."""
    policy = records.found(ProviderPolicy, ProviderPolicy.create_id(records.tenant_id), "tenant")
    return policy.known_techniques() if policy else STANDARD_TECHNIQUES


def restriction_review_limit(records: Records) -> timedelta:
    policy_id = ProviderPolicy.create_id(records.tenant_id)
    policy = records.found(ProviderPolicy, policy_id, "tenant")
    days = policy.restriction_review_days if policy else DEFAULT_RESTRICTION_REVIEW_DAYS
    return timedelta(days=days)


@dataclass(frozen=True)
class SetRestrictionReviewLimit(Command):
    """Set the longest a restriction may go between reviews, in days (managers and tenant
    admins)."""

    days: Annotated[int, Ge(7), Le(366)]


@dataclass(frozen=True)
class AddTechnique(Command):
    """Add a technique of the provider's own that staff may be signed off in, and outcomes and
    pathway stages may rely on (managers and tenant admins)."""

    technique: Key
    description: Text


def find_policy(records: Records, command: Command) -> Found[ProviderPolicy]:
    policy_id = ProviderPolicy.create_id(records.tenant_id)
    return Found(records.found(ProviderPolicy, policy_id, "tenant"), None)


def begin_policy(envelope: Envelope, command: Command) -> ProviderPolicy:
    return ProviderPolicy(envelope, id=ProviderPolicy.create_id(envelope.tenant_id))


COMMANDS: list[Registration] = [
    Change(
        SetRestrictionReviewLimit,
        MANAGERS | {Role.TENANT_ADMIN},
        find_policy,
        ProviderPolicy.set_restriction_review_limit,
        start=begin_policy,
    ),
    Change(
        AddTechnique,
        MANAGERS | {Role.TENANT_ADMIN},
        find_policy,
        ProviderPolicy.add_technique,
        start=begin_policy,
    ),
]


# -- published payloads (domain.publishing) ---------------------------------------------------

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("ProviderPolicy.Started", 1, "The provider's policy was first recorded"),
    PublishedEvent("ProviderPolicy.RestrictionReviewLimitSet", 1, "The longest a restriction "
                   "may go between reviews", (Field("days", "Days", "days"),)),
    PublishedEvent("ProviderPolicy.TechniqueAdded", 1, "A technique of the provider's own was "
                   "added", (Field("technique", "The technique, as kept (lower case)", "technique"),
                             Field("description", "What the technique is", "description"))),
)  # fmt: skip


RECORD_TYPE = RecordType(
    ProviderPolicy, COMMANDS, PUBLISHED, person=None,
    readers=RECORD_READERS | {Role.TENANT_ADMIN}, creation_correctable=False,
)  # fmt: skip
