"""Rebuilding from events: evolve only assigns state, so history replays to the same record.

Replay runs long after the fact, under today's clock and today's rules; neither may change
what a stored event means.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.assessment import Assessment, Contribution, ContributionMode, Section
from domain.person import Advocate, Person
from domain.support_plan import OutcomeTerms, SupportPlan
from tests.unit import given


def state(aggregate: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(aggregate).items() if name != "_pending_events"}


def test_a_person_rebuilt_from_their_events_is_the_person_recorded() -> None:
    person = Person.register(
        given.envelope(),
        name="Dana",
        date_of_birth=date(1987, 5, 2),
        service_id="s-1",
        team_id=None,
    )
    person.move(given.envelope(reason="closer to family"), service_id="s-2", team_id="t-2")
    person.record_advocate(given.envelope(), Advocate("Priya", "sister", None))
    person.record_consent_to_share(given.envelope(), given=True, scope="GP")

    rebuilt = given.replayed(person.collect_events())

    assert isinstance(rebuilt, Person)
    assert state(rebuilt) == state(person)


def test_an_assessment_rebuilt_from_its_events_is_the_assessment_recorded() -> None:
    assessment = Assessment(given.envelope(), person_id="person-1")
    for section in Section:
        assessment.record_section(given.envelope(), section, given.entries_for(section))
    assessment.record_contribution(
        given.envelope(),
        Contribution(ContributionMode.NOT_POSSIBLE, "family views", "Priya", "in hospital"),
    )
    assessment.complete(given.envelope())

    rebuilt = given.replayed(assessment.collect_events())

    assert state(rebuilt) == state(assessment)


def test_a_support_plan_rebuilt_from_its_events_is_the_plan_recorded() -> None:
    plan = SupportPlan(given.envelope(), "person-1", "assessment-1", list(given.STRENGTHS))
    plan.agree_outcome(given.envelope(), given.OUTCOME, given.terms())
    plan.add_enablement_step(given.envelope(), given.OUTCOME, given.step())
    plan.agree_outcome(given.envelope(), "outcome-travel", given.terms(title="Travel"))
    plan.revise_outcome(given.envelope(), given.OUTCOME, OutcomeTerms(target="twice a week"))
    plan.retire_outcome(given.envelope(reason="Dana chose not to"), "outcome-travel")
    plan.write_staff_guidance(given.envelope(), "Let Dana lead.")
    plan.set_support_hours(given.envelope(), 12.5)
    plan.set_next_review_date(given.envelope(), date(2025, 9, 14))
    plan.agree(given.envelope())
    plan.set_support_hours(given.envelope(reason="more evening support"), 14)

    rebuilt = given.replayed(plan.collect_events())

    assert state(rebuilt) == state(plan)
    assert rebuilt.id == SupportPlan.create_id("person-1")


def test_replay_does_not_judge_history_by_the_rules_of_today() -> None:
    # A move stored without a reason and without a change: `move` would refuse it on both
    # counts today, yet a record holding it must still load.
    person = Person.register(
        given.envelope(), name="Dana", date_of_birth=None, service_id="s-1", team_id=None
    )
    registered = person.collect_events()
    moved = Person.Moved(  # type: ignore[attr-defined]
        originator_id=person.id,
        originator_version=person.version + 1,
        timestamp=given.NOW,
        envelope=given.envelope(reason=None),
        service_id="s-1",
        team_id=None,
        from_service_id="s-1",
        from_team_id=None,
    )

    rebuilt = given.replayed([*registered, moved])

    assert (rebuilt.version, rebuilt.service_id, rebuilt.team_id) == (2, "s-1", None)
