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
from eventsourcing.domain import Aggregate, event

from domain.commands import MANAGERS, Command, Creation, NewIds, Records, Seal
from domain.envelope import Envelope, Role
from domain.errors import Rules
from domain.timeline import InForce

DEFAULT_RESTRICTION_REVIEW_DAYS = 92  # three months


class ProviderPolicy(InForce, Aggregate):
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


def set_limit(
    records: Records, command: SetRestrictionReviewLimit, seal: Seal, ids: NewIds
) -> ProviderPolicy:
    policy_id = ProviderPolicy.create_id(records.tenant_id)
    envelope = seal(None)
    policy = records.found(ProviderPolicy, policy_id, "tenant")
    if policy is None:
        policy = ProviderPolicy(envelope, id=policy_id)
    policy.set_restriction_review_limit(envelope, command.days)
    return policy


COMMANDS = [Creation(SetRestrictionReviewLimit, MANAGERS | {Role.TENANT_ADMIN}, set_limit)]
