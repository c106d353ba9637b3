"""Reading a record at a moment: what was in force at `asOf`, as recorded by `asKnownAt`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.helpers import (
    CHANGES,
    VALUE,
    Api,
    completed_assessment,
    days_ago,
    plain_changes,
    plain_value,
    register,
)

PLAN_AT = """
query Plan($personId: ID!, $asOf: DateTime, $asKnownAt: DateTime) {
  supportPlan(personId: $personId, asOf: $asOf, asKnownAt: $asKnownAt) {
    supportHoursPerWeek staffGuidance version asOf asKnownAt
  }
}"""

HISTORY_AT = f"""
query History($personId: ID!, $asOf: DateTime, $asKnownAt: DateTime) {{
  planHistory(personId: $personId, first: 50, asOf: $asOf, asKnownAt: $asKnownAt) {{
    asOf asKnownAt
    edges {{ node {{ version eventType recordedAt effectiveAt summary {CHANGES} }} }}
  }}
}}"""

PEOPLE_AT = """
query People($serviceId: ID, $asOf: DateTime, $asKnownAt: DateTime) {
  people(serviceId: $serviceId, first: 50, asOf: $asOf, asKnownAt: $asKnownAt) {
    edges { node { id name serviceId asOf } }
  }
}"""

PERSON_AT = """
query Person($id: ID!, $asOf: DateTime, $asKnownAt: DateTime) {
  person(id: $id, asOf: $asOf, asKnownAt: $asKnownAt) {
    serviceId asOf asKnownAt supportPlan { supportHoursPerWeek asOf }
  }
}"""


@dataclass(frozen=True)
class LateEntry:
    person_id: str
    before_late_entry: datetime  # recorded time between the two changes
    late_entry_recorded_at: datetime


def iso(moment: datetime) -> str:
    return moment.isoformat()


def plan_at(api: Api, person_id: str, **moment: datetime) -> dict[str, Any]:
    variables = {"personId": person_id, **{key: iso(value) for key, value in moment.items()}}
    plan: dict[str, Any] = api.query(PLAN_AT, variables)["supportPlan"]
    return plan


def history_at(api: Api, person_id: str, **moment: datetime) -> dict[str, Any]:
    variables = {"personId": person_id, **{key: iso(value) for key, value in moment.items()}}
    history: dict[str, Any] = api.query(HISTORY_AT, variables)["planHistory"]
    return history


@pytest.fixture
def late_entry(api: Api) -> LateEntry:
    """A plan drafted 20 days ago; hours set to 10 effective yesterday; then a late entry of
    14 hours effective 8 days ago."""
    registered = {"name": "Ruth Evans", "serviceId": "svc-1", "effectiveAt": iso(days_ago(30))}
    person_id = api.mutate("registerPerson", registered)["recordId"]
    assessment_id = completed_assessment(api, person_id)
    draft = {"personId": person_id, "assessmentId": assessment_id, "effectiveAt": iso(days_ago(20))}
    api.mutate("draftSupportPlan", draft)
    ten = {"personId": person_id, "hoursPerWeek": 10, "effectiveAt": iso(days_ago(1))}
    api.mutate("setSupportHours", ten)
    between = datetime.fromisoformat(history_at(api, person_id)["asKnownAt"])
    late = {"personId": person_id, "hoursPerWeek": 14, "effectiveAt": iso(days_ago(8))}
    api.mutate("setSupportHours", late)
    versions = [edge["node"] for edge in history_at(api, person_id)["edges"]]
    return LateEntry(person_id, between, datetime.fromisoformat(versions[-1]["recordedAt"]))


def test_a_late_entry_never_overrides_a_fact_that_took_effect_after_it(
    api: Api, late_entry: LateEntry
) -> None:
    assert plan_at(api, late_entry.person_id)["supportHoursPerWeek"] == 10


def test_a_late_entry_fills_in_the_past_once_it_is_recorded(
    api: Api, late_entry: LateEntry
) -> None:
    five_days_ago = days_ago(5)

    known_now = plan_at(api, late_entry.person_id, asOf=five_days_ago)
    known_before = plan_at(
        api, late_entry.person_id, asOf=five_days_ago, asKnownAt=late_entry.before_late_entry
    )

    assert known_now["supportHoursPerWeek"] == 14
    assert known_before["supportHoursPerWeek"] is None
    assert datetime.fromisoformat(known_before["asOf"]) == five_days_ago
    assert datetime.fromisoformat(known_before["asKnownAt"]) == late_entry.before_late_entry


def test_a_change_is_in_the_answer_only_when_known_by_as_known_at(
    api: Api, late_entry: LateEntry
) -> None:
    effective = days_ago(8) + timedelta(minutes=1)
    recorded = late_entry.late_entry_recorded_at

    just_before = plan_at(api, late_entry.person_id, asOf=effective,
                          asKnownAt=recorded - timedelta(microseconds=1))  # fmt: skip
    from_then_on = plan_at(api, late_entry.person_id, asOf=effective, asKnownAt=recorded)

    assert just_before["supportHoursPerWeek"] is None
    assert from_then_on["supportHoursPerWeek"] == 14


def test_history_at_a_moment_shows_the_changes_known_then_and_in_force_by_then(
    api: Api, late_entry: LateEntry
) -> None:
    five_days_ago = days_ago(5)

    known_now = history_at(api, late_entry.person_id, asOf=five_days_ago)
    known_before = history_at(
        api, late_entry.person_id, asOf=five_days_ago, asKnownAt=late_entry.before_late_entry
    )

    assert [edge["node"]["eventType"] for edge in known_now["edges"]] == [
        "SupportPlan.Drafted",
        "SupportPlan.SupportHoursSet",  # a late entry: no direction against the plan now
    ]
    assert [edge["node"]["eventType"] for edge in known_before["edges"]] == ["SupportPlan.Drafted"]
    assert datetime.fromisoformat(known_now["asOf"]) == five_days_ago


def test_a_late_entry_is_described_against_what_was_in_force_when_it_took_effect(
    api: Api, late_entry: LateEntry
) -> None:
    versions = [edge["node"] for edge in history_at(api, late_entry.person_id)["edges"]]

    late = versions[-1]
    assert late["summary"] == "Support hours set to 14 a week"
    assert plain_changes(late["changes"]) == [
        {"field": "supportHoursPerWeek", "before": None, "after": 14.0}
    ]


def test_people_at_a_moment_are_listed_in_the_service_they_were_in_then(api: Api) -> None:
    registered = {"name": "Ola Reed", "serviceId": "svc-1", "effectiveAt": iso(days_ago(30))}
    person_id = api.mutate("registerPerson", registered)["recordId"]
    moved = {"personId": person_id, "serviceId": "svc-2", "reason": "Moved flat",
             "effectiveAt": iso(days_ago(3))}  # fmt: skip
    api.mutate("movePerson", moved)

    def listed(service_id: str, as_of: datetime) -> list[str]:
        variables = {"serviceId": service_id, "asOf": iso(as_of)}
        return [edge["node"]["id"] for edge in api.query(PEOPLE_AT, variables)["people"]["edges"]]

    assert person_id in listed("svc-1", days_ago(5))
    assert person_id not in listed("svc-2", days_ago(5))
    assert person_id in listed("svc-2", days_ago(1))
    assert person_id not in listed("svc-1", days_ago(40))


def test_a_person_and_their_plan_are_read_at_the_same_moment(
    api: Api, late_entry: LateEntry
) -> None:
    variables = {"id": late_entry.person_id, "asOf": iso(days_ago(5))}
    person = api.query(PERSON_AT, variables)["person"]

    assert person["supportPlan"]["supportHoursPerWeek"] == 14
    assert person["supportPlan"]["asOf"] == person["asOf"]


def test_a_record_that_had_not_begun_is_not_there(api: Api, late_entry: LateEntry) -> None:
    assert api.query(PLAN_AT, {"personId": late_entry.person_id,
                               "asOf": iso(days_ago(21))})["supportPlan"] is None  # fmt: skip


def test_a_moment_without_a_timezone_is_refused_with_a_rule(api: Api) -> None:
    person_id = register(api)

    error = api.failure(PERSON_AT, {"id": person_id, "asOf": "2026-05-14T09:00:00"})

    assert error["extensions"]["violations"][0]["rule"] == "input.time.timezone_required"


def test_nothing_is_known_beyond_now(api: Api, late_entry: LateEntry) -> None:
    asked = datetime.now(UTC) + timedelta(days=365)
    variables = {"id": late_entry.person_id, "asKnownAt": iso(asked)}

    person = api.query(PERSON_AT, variables)["person"]

    assert datetime.fromisoformat(person["asKnownAt"]) <= datetime.now(UTC)
    assert person["supportPlan"]["supportHoursPerWeek"] is not None


PLAN_DIFF = f"""
query Diff($personId: ID!, $from: DateTime!, $to: DateTime!, $asKnownAt: DateTime) {{
  planDiff(personId: $personId, from: $from, to: $to, asKnownAt: $asKnownAt) {{
    from to asKnownAt
    differences {{ field before {VALUE} after {VALUE}
      causes {{ version summary reason effectiveAt actor {{ name role }} }} }}
  }}
}}"""


def test_a_plan_diff_shows_each_difference_with_the_changes_behind_it(
    api: Api, late_entry: LateEntry
) -> None:
    variables = {
        "personId": late_entry.person_id,
        "from": iso(days_ago(10)),
        "to": iso(days_ago(0)),
    }

    diff = api.query(PLAN_DIFF, variables)["planDiff"]

    [hours] = diff["differences"]
    assert (hours["field"], hours["before"], plain_value(hours["after"])) == (
        "supportHoursPerWeek", None, 10.0)  # fmt: skip
    assert [cause["summary"] for cause in hours["causes"]] == [
        "Support hours set to 14 a week",
        "Support hours set to 10 a week",  # as described when it was recorded, before the 14
    ]  # in the order they took effect, though recorded the other way round
    assert {cause["actor"]["name"] for cause in hours["causes"]} == {"Ann Lee"}


def test_a_plan_diff_as_known_earlier_leaves_out_later_entries(
    api: Api, late_entry: LateEntry
) -> None:
    known_at = iso(late_entry.before_late_entry)
    variables = {"personId": late_entry.person_id, "from": iso(days_ago(10)),
                 "to": iso(days_ago(5)), "asKnownAt": known_at}  # fmt: skip

    diff = api.query(PLAN_DIFF, variables)["planDiff"]

    assert diff["differences"] == []


def test_a_plan_diff_backwards_in_time_is_refused(api: Api, late_entry: LateEntry) -> None:
    variables = {"personId": late_entry.person_id, "from": iso(days_ago(1)), "to": iso(days_ago(2))}

    error = api.failure(PLAN_DIFF, variables)

    assert error["extensions"]["violations"][0]["rule"] == "input.time.range"
