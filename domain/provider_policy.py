"""A provider's own policy: how long a restriction may go between reviews, the techniques its
staff are signed off in beyond the standard ones, and what its governance views read: after how
many months without a change a plan is static, and the phrases that mark a note or guidance as
"doing for" or "supporting with".

DOMAIN: restrictions are time-limited; three months between reviews unless the provider sets
another limit (between a week and a year). Every provider signs staff off in at least the
standard strengths-based techniques (domain.staff.Technique) and may add its own. A plan is
static after six months without a change unless the provider says otherwise; the language audit
starts from the phrases below, which the provider may replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from annotated_types import Ge, Le, MaxLen, MinLen
from eventsourcing.domain import event

from domain.commands import MANAGERS, Change, Command, Found, Key, Records, Registration, Text
from domain.envelope import RECORD_READERS, Envelope, Role
from domain.errors import Rules
from domain.publishing import Field, PublishedEvent
from domain.record import Record
from domain.record_type import RecordType
from domain.staff import STANDARD_TECHNIQUES

DEFAULT_RESTRICTION_REVIEW_DAYS = 92  # three months
DEFAULT_STATIC_PLAN_MONTHS = 6
DEFAULT_DOING_FOR = ("done for him", "done for her", "done for them", "staff completed",
                     "full assistance", "staff did", "carried out for")  # fmt: skip
DEFAULT_SUPPORTING_WITH = ("with one prompt", "with a prompt", "independently", "supported to",
                           "encouraged to", "with verbal prompt", "by themselves")  # fmt: skip


class ProviderPolicy(Record):
    @staticmethod
    def create_id(tenant_id: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"stepwise:provider-policy:{tenant_id}")

    @event("Started")
    def __init__(self, envelope: Envelope, id: UUID | None = None) -> None:
        self.tenant_id = envelope.tenant_id
        self.restriction_review_days = DEFAULT_RESTRICTION_REVIEW_DAYS
        self.techniques: dict[str, str] = {}  # the provider's own, by key: what each is
        self.static_plan_months = DEFAULT_STATIC_PLAN_MONTHS
        self.doing_for = list(DEFAULT_DOING_FOR)
        self.supporting_with = list(DEFAULT_SUPPORTING_WITH)

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

    def set_governance_settings(
        self, envelope: Envelope, static_plan_months: int, doing_for: list[str],
        supporting_with: list[str],
    ) -> None:  # fmt: skip
        rules = Rules()
        self.check_began(rules, envelope)
        doing, supporting = _phrases(doing_for), _phrases(supporting_with)
        rules.check(bool(doing), "policy.language.phrases_required", "doingFor",
                    "name at least one phrase that marks a text as doing for")  # fmt: skip
        rules.check(bool(supporting), "policy.language.phrases_required", "supportingWith",
                    "name at least one phrase that marks a text as supporting with")  # fmt: skip
        both = sorted(set(doing) & set(supporting))
        rules.check(not both, "policy.language.phrase_in_both", "supportingWith",
                    f"a phrase marks one kind of text, not both: {', '.join(both)}")  # fmt: skip
        rules.check((static_plan_months, doing, supporting)
                    != (self.static_plan_months, self.doing_for, self.supporting_with),
                    "policy.governance.no_change", "staticPlanMonths",
                    "these are the settings already")  # fmt: skip
        rules.enforce()
        self._governance_set(envelope, static_plan_months, doing, supporting)

    @event("GovernanceSettingsSet")
    def _governance_set(self, envelope: Envelope, static_plan_months: int, doing_for: list[str],
                        supporting_with: list[str]) -> None:  # fmt: skip
        self.static_plan_months = static_plan_months
        self.doing_for, self.supporting_with = list(doing_for), list(supporting_with)

    def known_techniques(self) -> frozenset[str]:
        return frozenset(STANDARD_TECHNIQUES | set(self.techniques))


TECHNIQUE_KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")


def _phrases(given: list[str]) -> list[str]:
    """Phrases as they are matched: lower case, trimmed, each once, in the order given."""
    return list(dict.fromkeys(p.strip().casefold() for p in given if p.strip()))


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


Phrases = Annotated[list[Annotated[str, MinLen(1), MaxLen(100)]], MaxLen(50)]


@dataclass(frozen=True)
class SetGovernanceSettings(Command):
    """Set what the provider's governance views read: after how many months without a change
    an agreed plan is static, and the phrases that mark an evidence note or staff guidance as
    "doing for" or "supporting with" (managers and tenant admins)."""

    static_plan_months: Annotated[int, Ge(1), Le(36)]
    doing_for: Phrases
    supporting_with: Phrases


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
    Change(
        SetGovernanceSettings,
        MANAGERS | {Role.TENANT_ADMIN},
        find_policy,
        ProviderPolicy.set_governance_settings,
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
    PublishedEvent("ProviderPolicy.GovernanceSettingsSet", 1, "What the provider's governance "
                   "views read was set", (
                       Field("staticPlanMonths", "Months without a change after which an agreed "
                             "plan is static", "static_plan_months"),
                       Field("doingFor", "Phrases marking a text as doing for", "doing_for"),
                       Field("supportingWith", "Phrases marking a text as supporting with",
                             "supporting_with"))),
)  # fmt: skip


RECORD_TYPE = RecordType(
    ProviderPolicy, COMMANDS, PUBLISHED, person=None,
    readers=RECORD_READERS | {Role.TENANT_ADMIN}, creation_correctable=False,
)  # fmt: skip
