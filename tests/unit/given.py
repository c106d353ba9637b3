"""Builders for aggregate specs: a fixed clock, envelopes, and aggregates with a past.

Every builder returns an aggregate whose past events have been collected, so a test sees
only the events its own command records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import Any

import pytest
from eventsourcing.domain import DomainEventProtocol

from domain.assessment import Assessment, Contribution, ContributionMode, Section
from domain.envelope import Actor, CommandContext, Envelope, Role
from domain.errors import RulesViolated
from domain.person import Person
from domain.support_plan import EnablementStep, OutcomeTerms, SupportPlan

NOW = datetime(2025, 3, 14, 10, 30, tzinfo=UTC)
SKEW = timedelta(minutes=2)
TENANT = "provider-riverside"
SERVICE = "service-supported-living"
TEAM = "team-north"
STRENGTHS = ["cooks simple meals", "knows the bus routes", "keeps a diary"]
OUTCOME = "outcome-cooking"


def actor(role: str = Role.SUPPORT_WORKER) -> Actor:
    return Actor(id=f"staff-{role}", name=f"A {role}", role=role)


def context(
    *,
    role: str = Role.SUPPORT_WORKER,
    effective_at: datetime | None = None,
    reason: str | None = None,
    services: frozenset[str] | None = None,
    writes_granted: bool = False,
) -> CommandContext:
    return CommandContext(
        actor=actor(role),
        tenant_id=TENANT,
        correlation_id="correlation-1",
        effective_at=effective_at,
        reason=reason,
        services=services,
        writes_granted=writes_granted,
    )


def envelope(
    *, reason: str | None = None, effective_at: datetime | None = None, role: str = Role.MANAGER
) -> Envelope:
    """An envelope sealed against the fixed clock."""
    ctx = context(role=role, effective_at=effective_at, reason=reason)
    return Envelope.seal(ctx, service_id=SERVICE, now=NOW, skew=SKEW)


def rules(refusal: pytest.ExceptionInfo[RulesViolated]) -> set[str]:
    return {violation.rule for violation in refusal.value.violations}


def names(events: Iterable[object]) -> list[str]:
    return [type(e).__name__ for e in events]


def replayed(events: Iterable[DomainEventProtocol[Any]]) -> Any:
    """The aggregate as a repository rebuilds it: each stored event applied in order."""
    return reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def past(aggregate: Any) -> Any:
    aggregate.collect_events()
    return aggregate


# -- people ---------------------------------------------------------------------------------


def person() -> Person:
    registered = Person.register(
        envelope(),
        name="Dana Whitfield",
        date_of_birth=date(1987, 5, 2),
        service_id=SERVICE,
        team_id=TEAM,
    )
    return past(registered)


# -- assessments ----------------------------------------------------------------------------


def direct_contribution() -> Contribution:
    return Contribution(ContributionMode.DIRECT, "Dana wants to cook for friends", None, None)


def entries_for(section: Section) -> list[str]:
    if section is Section.STRENGTHS:
        return list(STRENGTHS)
    return [f"{section.value} entry one", f"{section.value} entry two"]


def assessment(
    *,
    sections: Iterable[Section] = (),
    contribution: Contribution | None = None,
    completed: bool = False,
) -> Assessment:
    started = Assessment(envelope(), person_id="person-1")
    for section in sections:
        started.record_section(envelope(), section, entries_for(section))
    if contribution is not None:
        started.record_contribution(envelope(), contribution)
    if completed:
        started.complete(envelope())
    return past(started)


def completed_assessment() -> Assessment:
    return assessment(sections=Section, contribution=direct_contribution(), completed=True)


# -- support plans --------------------------------------------------------------------------


def terms(**overrides: Any) -> OutcomeTerms:
    agreed: dict[str, Any] = {
        "title": "Cook a meal for friends",
        "baseline": "cooks toast with prompting",
        "target": "cooks a two-course meal unprompted once a week",
        "evidenced_by": "weekly diary entry and photo",
        "builds_on": ["cooks simple meals", "keeps a diary"],
    }
    return OutcomeTerms(**{**agreed, **overrides})


def step(**overrides: Any) -> EnablementStep:
    fields: dict[str, Any] = {
        "step_id": "step-1",
        "strength": "cooks simple meals",
        "weekly_micro_step": "choose one recipe with staff on Monday",
        "evidence_route": "recipe ticked in the diary",
    }
    return EnablementStep(**{**fields, **overrides})


def plan(strengths: list[str] | None = None) -> SupportPlan:
    drafted = SupportPlan(envelope(), "person-1", "assessment-1", list(strengths or STRENGTHS))
    return past(drafted)


def plan_with_outcome(*, with_step: bool = False) -> SupportPlan:
    drafted = plan()
    drafted.agree_outcome(envelope(), OUTCOME, terms())
    if with_step:
        drafted.add_enablement_step(envelope(), OUTCOME, step())
    return past(drafted)


def plan_ready_to_agree() -> SupportPlan:
    ready = plan_with_outcome(with_step=True)
    ready.write_staff_guidance(envelope(), "Offer choices; let Dana lead in the kitchen.")
    ready.set_support_hours(envelope(), 12.5)
    ready.set_next_review_date(envelope(), date(2025, 9, 14))
    return past(ready)


def agreed_plan() -> SupportPlan:
    agreed = plan_ready_to_agree()
    agreed.agree(envelope())
    return past(agreed)
