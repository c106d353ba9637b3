"""Consent to share gates what integration clients read and receive: a person's records reach
an integration client (by query, change feed, webhook or FHIR) only while the person's consent to
share with it, or with its organisation, is in force; withdrawn, they are left out from then on,
and the access log shows the gate. Staff reads are unaffected."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

from infra.bootstrap import Runtime
from tests.e2e.helpers import INTEGRATION, MANAGER, Api, Staff, register, rules
from tests.e2e.test_access_matrix import MAY_QUERY
from tests.e2e.test_moves import AFTER, SERVICE_WIDE, ask, moved  # noqa: F401 - the fixture
from tests.e2e.test_webhooks import (
    Receiver,
    configure,
    receiver,  # noqa: F401 - the fixture
    served,
    subscribe,
    until,
)

PERSON = "query($p: ID!) { person(id: $p) { id name } }"
FEED = """query($after: String) { events(first: 100, after: $after) {
  edges { node { position streamId eventType } } pageInfo { endCursor } } }"""
ACCESS_LOG = """query($p: ID!) { accessLog(personId: $p, first: 100) {
  edges { node { field outcome detail actor { id } } } } }"""


def consent(api: Api, person: str, recipient: str = INTEGRATION.id, **given: str) -> str:
    body = {"personId": person, "recipient": recipient, "purpose": "Shared care", **given}
    return str(api.mutate("giveSharingConsent", body)["partId"])


def feed_people(api: Api, reader: Staff, people: set[str]) -> list[str]:
    api.reader = reader
    edges = api.query(FEED)["events"]["edges"]
    return [edge["node"]["streamId"] for edge in edges if edge["node"]["streamId"] in people]


def read(api: Api, reader: Staff, person: str) -> dict[str, str] | None:
    api.reader = reader
    found: dict[str, str] | None = api.query(PERSON, {"p": person})["person"]
    return found


def test_an_integration_client_reads_only_people_who_consent_to_share_with_it(
    runtime: Runtime,
) -> None:
    with served(runtime) as api:
        ruth, omar, ada = register(api, "Ruth"), register(api, "Omar"), register(api, "Ada")
        consent(api, ruth)
        consent(api, ada, "c-other")  # with another client
        later = (date.today() + timedelta(days=3)).isoformat()
        consent(api, omar, validFrom=later)  # not begun yet

        shown = {p: read(api, INTEGRATION, p) is not None for p in (ruth, omar, ada)}
        in_feed = set(feed_people(api, INTEGRATION, {ruth, omar, ada}))
        staff = {p: read(api, MANAGER, p) is not None for p in (ruth, omar, ada)}

    assert shown == {ruth: True, omar: False, ada: False}
    assert in_feed == {ruth}
    assert staff == {ruth: True, omar: True, ada: True}


def test_a_consent_may_name_the_organisation_a_client_s_token_carries(runtime: Runtime) -> None:
    of_the_surgery = Staff("c-gp-7", "GP system", "integration_client",
                           organisation="org-gp-surgery")  # fmt: skip
    of_another = Staff("c-gp-8", "GP system", "integration_client", organisation="org-other")
    with served(runtime) as api:
        ruth = register(api, "Ruth")
        consent(api, ruth, "org-gp-surgery")

        assert read(api, of_the_surgery, ruth) is not None
        assert read(api, of_another, ruth) is None


def test_a_withdrawn_consent_leaves_the_person_out_from_then_on_and_the_log_shows_the_gate(
    runtime: Runtime,
    receiver: Receiver,  # noqa: F811 - the fixture
) -> None:
    configure(runtime)
    with served(runtime) as api:
        ruth, omar = register(api, "Ruth"), register(api, "Omar")
        ruths = consent(api, ruth)
        consent(api, omar)
        subscribe(api, receiver.url, eventTypes=["Person.AdvocateRecorded"])
        for name in ("Sam", "Joe"):
            for person in (ruth, omar):
                advocate = {"personId": person, "name": name, "relationship": "Friend"}
                api.mutate("recordAdvocate", advocate)
        until(lambda: len(receiver.received) == 4)
        before = set(feed_people(api, INTEGRATION, {ruth, omar}))
        fhir_before = fhir_people(api, ruth, omar)

        api.mutate("withdrawSharingConsent", {"personId": ruth, "consentId": ruths})
        for person in (ruth, omar):
            advocate = {"personId": person, "name": "Kim", "relationship": "Friend"}
            api.mutate("recordAdvocate", advocate)
        until(lambda: len(receiver.received) == 5)
        time.sleep(0.5)  # nothing of Ruth's follows
        after = set(feed_people(api, INTEGRATION, {ruth, omar}))
        shown = read(api, INTEGRATION, ruth)
        fhir_after = fhir_people(api, ruth, omar)
        staff = read(api, MANAGER, ruth)
        again = api.refuse("withdrawSharingConsent", {"personId": ruth, "consentId": ruths})
        api.reader = MANAGER
        log = [e["node"] for e in api.query(ACCESS_LOG, {"p": ruth})["accessLog"]["edges"]]

    delivered = [json.loads(body)["data"] for _, body in receiver.received]
    assert [d["streamId"] for d in delivered] == [ruth, omar, ruth, omar, omar]
    assert delivered[-1]["payload"]["advocate"]["name"] == "Kim"
    assert before == {ruth, omar} and after == {omar}
    assert fhir_before == {"Patient": {ruth, omar}, "$everything": {ruth, omar},
                           "listed": {ruth, omar}}  # fmt: skip
    assert fhir_after == {"Patient": {omar}, "$everything": {omar}, "listed": {omar}}
    assert shown is None and staff is not None and staff["name"] == "Ruth"
    assert rules(again) == ["person.sharing.withdrawn_already"]
    gated = [e for e in log if e["actor"]["id"] == INTEGRATION.id and e["outcome"] == "DENIED"]
    assert gated and "no consent to share" in gated[-1]["detail"]


def fhir_people(api: Api, *people: str) -> dict[str, set[str]]:
    """Whom an integration client finds over FHIR: by a read, by $everything, and listed."""
    found: dict[str, set[str]] = {"Patient": set(), "$everything": set()}
    for person in people:
        if api.fhir(f"Patient/{person}", INTEGRATION)[0] == 200:
            found["Patient"].add(person)
        if api.fhir(f"Patient/{person}/$everything", INTEGRATION)[0] == 200:
            found["$everything"].add(person)
    listed = api.fhir("Patient", INTEGRATION, _count="200")[1]
    found["listed"] = {e["resource"]["id"] for e in listed.get("entry", [])} & set(people)
    return found


def test_a_consent_that_ends_before_it_begins_is_refused(runtime: Runtime) -> None:
    with served(runtime) as api:
        ruth = register(api, "Ruth")
        error = api.refuse("giveSharingConsent", {
            "personId": ruth, "recipient": " ", "purpose": "", "validFrom": "2026-05-02",
            "validUntil": "2026-05-01"})  # fmt: skip

    assert rules(error) == ["person.sharing.recipient_required",
                            "person.sharing.purpose_required",
                            "person.sharing.ends_before"]  # fmt: skip


def test_every_list_an_integration_client_reads_leaves_out_people_who_do_not_consent(
    api: Api,
    moved: dict[str, str],  # noqa: F811 - the fixture
) -> None:
    person = moved["Person"]  # in AFTER, with a record of every kind
    lists = [name for name in SERVICE_WIDE if INTEGRATION in MAY_QUERY[name]]
    counted = {"restrictivePracticeTrend"}  # counts, not records

    staff = {name: json.dumps(ask(api, name, MANAGER, serviceId=AFTER)) for name in lists}
    without = {name: json.dumps(ask(api, name, INTEGRATION, serviceId=AFTER)) for name in lists}
    consent(api, person)
    given = {name: json.dumps(ask(api, name, INTEGRATION, serviceId=AFTER)) for name in lists}

    assert len(lists) >= 7
    for name in lists:
        if name in counted:
            assert '"imposed": 1' in staff[name] and '"imposed": 1' in given[name], name
            assert '"imposed": 1' not in without[name], name
            continue
        assert person in staff[name] and person in given[name], name
        assert person not in without[name], name
