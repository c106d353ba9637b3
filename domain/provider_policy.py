"""A provider's own policy: for now, how long a restriction may go between reviews.

DOMAIN: restrictions are time-limited; three months between reviews unless the provider sets
another limit (between a week and a year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from annotated_types import Ge, Le
from eventsourcing.domain import event

from domain.commands import MANAGERS, Change, Command, Found, Records, Registration
from domain.envelope import RECORD_READERS, Envelope, Role
from domain.errors import Rules
from domain.publishing import Field, PublishedEvent
from domain.record import Record
from domain.record_type import RecordType

DEFAULT_RESTRICTION_REVIEW_DAYS = 92  # three months


class ProviderPolicy(Record):
    @staticmethod
    def create_id(tenant_id: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"stepwise:provider-policy:{tenant_id}")

    @event("Started")
    def __init__(self, envelope: Envelope, id: UUID | None = None) -> None:
        self.tenant_id = envelope.tenant_id
        self.restriction_review_days = DEFAULT_RESTRICTION_REVIEW_DAYS

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


def find_policy(records: Records, command: SetRestrictionReviewLimit) -> Found[ProviderPolicy]:
    policy_id = ProviderPolicy.create_id(records.tenant_id)
    return Found(records.found(ProviderPolicy, policy_id, "tenant"), None)


def begin_policy(envelope: Envelope, command: SetRestrictionReviewLimit) -> ProviderPolicy:
    return ProviderPolicy(envelope, id=ProviderPolicy.create_id(envelope.tenant_id))


COMMANDS: list[Registration] = [
    Change(
        SetRestrictionReviewLimit,
        MANAGERS | {Role.TENANT_ADMIN},
        find_policy,
        ProviderPolicy.set_restriction_review_limit,
        start=begin_policy,
    ),
]


# -- published payloads (domain.publishing) ---------------------------------------------------

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("ProviderPolicy.Started", 1, "The provider's policy was first recorded"),
    PublishedEvent("ProviderPolicy.RestrictionReviewLimitSet", 1, "The longest a restriction "
                   "may go between reviews", (Field("days", "Days", "days"),)),
)  # fmt: skip


RECORD_TYPE = RecordType(
    ProviderPolicy, COMMANDS, PUBLISHED, person=None,
    readers=RECORD_READERS | {Role.TENANT_ADMIN}, creation_correctable=False,
)  # fmt: skip
