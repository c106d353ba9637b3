"""Reading people and assessments: one record by id, and people page by page per service."""

from __future__ import annotations

from datetime import datetime

from tests.e2e.helpers import (
    SECTIONS,
    WORKER,
    Api,
    agreed_plan,
    completed_assessment,
    register,
    start_assessment,
)

PERSON = """
query Person($id: ID!) {
  person(id: $id) { id name dateOfBirth serviceId teamId version registeredAt updatedAt
    advocate { name relationship contact } supportPlan { status version } }
}"""

PEOPLE = """
query People($serviceId: ID, $first: Int!, $after: String) {
  people(serviceId: $serviceId, first: $first, after: $after) {
    edges { cursor node { id name serviceId } }
    pageInfo { hasNextPage endCursor }
  }
}"""

ASSESSMENT = """
query Assessment($id: ID!) {
  assessment(id: $id) { id personId status strengths independentSkills preferredOutcomes
    informalSupport communicationPreferences version
    contribution { mode summary spokenForBy reasonNotPossible } }
}"""

NOBODY = "00000000-0000-4000-8000-000000000000"


def test_a_registered_person_reads_back_as_recorded_with_their_advocate(api: Api) -> None:
    person_id = register(api, "Ruth Evans", service_id="svc-1")
    advocate = {"personId": person_id, "name": "Jo Reid", "relationship": "independent advocate"}
    api.mutate("recordAdvocate", advocate)

    person = api.query(PERSON, {"id": person_id})["person"]

    assert person["id"] == person_id and person["name"] == "Ruth Evans"
    assert person["dateOfBirth"] == "1970-05-01"
    assert (person["serviceId"], person["teamId"]) == ("svc-1", "t-1")
    assert person["version"] == 2
    assert person["advocate"] == {
        "name": "Jo Reid", "relationship": "independent advocate", "contact": None
    }  # fmt: skip
    assert person["supportPlan"] is None
    registered_at = datetime.fromisoformat(person["registeredAt"])
    assert datetime.fromisoformat(person["updatedAt"]) >= registered_at


def test_a_person_with_an_agreed_plan_shows_it_on_their_record(api: Api) -> None:
    plan = agreed_plan(api)

    person = api.query(PERSON, {"id": plan.person_id})["person"]

    assert person["supportPlan"] == {"status": "AGREED", "version": plan.version}


def test_people_page_through_one_service_in_registration_order(api: Api) -> None:
    names = ["Ann", "Ben", "Cai", "Dee", "Eve"]
    ids = {
        name: register(api, name, service_id="svc-1" if name != "Ben" else "svc-2")
        for name in names
    }

    pages, after = [], None
    while True:
        variables = {"serviceId": "svc-1", "first": 2, "after": after}
        page = api.query(PEOPLE, variables)["people"]
        pages.append([edge["node"]["name"] for edge in page["edges"]])
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert pages == [["Ann", "Cai"], ["Dee", "Eve"]]
    everyone = api.query(PEOPLE, {"first": 10})["people"]
    assert [edge["node"]["id"] for edge in everyone["edges"]] == [ids[n] for n in names]
    assert everyone["pageInfo"]["hasNextPage"] is False


def test_a_page_after_the_last_person_is_empty_and_keeps_the_cursor(api: Api) -> None:
    register(api, "Ann")
    first = api.query(PEOPLE, {"first": 5})["people"]
    cursor = first["pageInfo"]["endCursor"]

    empty = api.query(PEOPLE, {"first": 5, "after": cursor})["people"]

    assert empty == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": cursor}}


def test_moving_a_person_keeps_their_place_in_the_list(api: Api) -> None:
    first, second = register(api, "Ann"), register(api, "Ben")
    move = {"personId": first, "serviceId": "svc-1", "teamId": "t-2", "reason": "New flat"}
    api.mutate("movePerson", move)

    people = api.query(PEOPLE, {"first": 5})["people"]["edges"]

    assert [edge["node"]["id"] for edge in people] == [first, second]


def test_a_completed_assessment_reads_back_section_by_section(api: Api) -> None:
    person_id = register(api)
    assessment_id = completed_assessment(api, person_id)

    assessment = api.query(ASSESSMENT, {"id": assessment_id})["assessment"]

    assert assessment["personId"] == person_id and assessment["status"] == "COMPLETED"
    assert assessment["strengths"] == SECTIONS["STRENGTHS"]
    assert assessment["independentSkills"] == SECTIONS["INDEPENDENT_SKILLS"]
    assert assessment["preferredOutcomes"] == SECTIONS["PREFERRED_OUTCOMES"]
    assert assessment["informalSupport"] == SECTIONS["INFORMAL_SUPPORT"]
    assert assessment["communicationPreferences"] == SECTIONS["COMMUNICATION_PREFERENCES"]
    assert assessment["contribution"] == {
        "mode": "DIRECT", "summary": "Chose her goals", "spokenForBy": None,
        "reasonNotPossible": None,
    }  # fmt: skip
    assert assessment["version"] == 8


def test_an_assessment_in_progress_shows_only_what_is_recorded(api: Api) -> None:
    assessment_id = start_assessment(api, register(api))
    entries = {"assessmentId": assessment_id, "section": "STRENGTHS", "entries": [" Sings "]}
    api.mutate("recordAssessmentSection", entries, WORKER)

    assessment = api.query(ASSESSMENT, {"id": assessment_id})["assessment"]

    assert assessment["status"] == "IN_PROGRESS"
    assert assessment["strengths"] == ["Sings"] and assessment["informalSupport"] == []
    assert assessment["contribution"] is None


def test_records_that_do_not_exist_read_as_null(api: Api) -> None:
    register(api)

    assert api.query(PERSON, {"id": NOBODY}) == {"person": None}
    assert api.query(ASSESSMENT, {"id": NOBODY}) == {"assessment": None}
    assert api.query("query($p: ID!) { supportPlan(personId: $p) { id } }", {"p": NOBODY}) == {
        "supportPlan": None
    }
