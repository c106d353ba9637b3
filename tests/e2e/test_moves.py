"""A person who moves takes every record of theirs along: a person with one record of every kind
Stepwise declares moves from one service to another, and every service-wide list and every read
scoped to services follows them, while lists at a moment before the move still place them where
they were then. Generated from the declarations and the schema: a kind of record or a root field
added later is covered without editing this test."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)

from api.schema import schema
from domain.catalogue import DECLARED
from tests.e2e.helpers import MANAGER, Api, Staff, backdated_plan, days_ago_iso, weeks_ahead

BEFORE, AFTER = "svc-1", "svc-2"
IN_BEFORE = Staff("u-bea", "Bea Ross", "manager", services=(BEFORE,))
IN_AFTER = Staff("u-al", "Al Price", "manager", services=(AFTER,))
QUERY = schema._schema.query_type
PERSONAL = [kind.name for kind in DECLARED if kind.person is not None]
ECHOED = {"personId", "outcomeId", "from", "to", "asOf", "asKnownAt", "__typename", "hasNextPage",
          "endCursor", "guidance"}  # fmt: skip


def selection(kind: Any, depth: int = 0) -> str:
    """Every scalar field of an object type, and of those it holds, a few levels down."""
    fields = []
    for name, field in kind.fields.items():
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLUnionType) or (field.args and any(
            isinstance(a.type, GraphQLNonNull) for a in field.args.values())):  # fmt: skip
            continue
        if isinstance(inner, GraphQLObjectType):
            if depth < 3:
                fields.append(f"{name} {{ __typename {selection(inner, depth + 1)} }}")
        else:
            fields.append(name)
    return " ".join(fields)


ARGUMENTS = {"serviceId": None, "personId": None, "id": None, "streamId": None,
             "outcomeId": None, "dueBefore": weeks_ahead(60), "before": weeks_ahead(60),
             "from": (datetime.now(UTC) - timedelta(days=400)).date().isoformat(),
             "to": weeks_ahead(60),
             # the records behind a figure the moved person counts in: the review he booked
             "measure": "PLAN_REVIEWS_DUE"}  # fmt: skip


def required(argument: Any) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined


def ask(api: Api, name: str, reader: Staff, **given: Any) -> Any:
    """The root field, every required argument given, read by `reader`."""
    field: GraphQLField = QUERY.fields[name]
    values = {**ARGUMENTS, **given}
    for arg, a in field.args.items():  # a moment, not a day, where one is asked for
        if get_named_type(a.type).name == "DateTime" and arg in ("from", "to"):
            values[arg] = f"{values[arg]}T00:00:00+00:00"
    wanted = {arg: a for arg, a in field.args.items() if required(a) or arg in given}
    declared = ", ".join(f"${arg}: {a.type}" for arg, a in wanted.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in wanted)
    inner = get_named_type(field.type)
    text = f"query({declared}) {{ {name}({passed}) {{ __typename {selection(inner)} }} }}"
    if isinstance(field.type, GraphQLList) or isinstance(getattr(field.type, "of_type", None),
                                                          GraphQLList):  # fmt: skip
        text = text.replace("__typename ", "", 1)
    api.reader = reader
    return api.query(text, {arg: values[arg] for arg in wanted})[name]


def says_something(answer: Any) -> bool:
    """Whether an answer holds anything of a record, beyond what the question echoes."""
    if isinstance(answer, dict):
        return any(says_something(v) for k, v in answer.items() if k not in ECHOED)
    if isinstance(answer, list):
        return any(says_something(item) for item in answer)
    return answer is not None and answer is not False and answer != 0


@pytest.fixture
def moved(api: Api) -> dict[str, str]:
    """A person of BEFORE with one record of every kind (and a review due), moved to AFTER
    today: the id of each record, by kind."""
    plan = backdated_plan(api, 60, service_id=BEFORE)
    person = plan.person_id
    ids = {"Person": person, "Assessment": plan.assessment_id}
    review = {"personId": person, "dueOn": weeks_ahead(1), "effectiveAt": days_ago_iso(50),
              "reason": "Routine"}  # fmt: skip
    review_id = api.mutate("scheduleReview", review)["partId"]
    held = {"personId": person, "reviewId": review_id, "personAttended": True,
            "personContributed": True, "personViews": "Fine", "reason": "Routine",
            "decideNextReviewOn": weeks_ahead(2), "effectiveAt": days_ago_iso(40)}  # fmt: skip
    api.mutate("holdReview", held, MANAGER)  # decided nothing: a repeat review; the next is due
    note = {"personId": person, "outcomeId": plan.outcome_id, "note": "Chopped the onions",
            "effectiveAt": days_ago_iso(20)}  # fmt: skip
    ids["EvidenceNote"] = api.mutate("recordEvidenceNote", note)["recordId"]
    risk = {"personId": person, "activity": "Shops alone", "effectiveAt": days_ago_iso(30)}
    ids["RiskDecision"] = api.mutate("proposeRiskDecision", risk)["recordId"]
    restriction = {
        "personId": person,
        "what": "Card kept in the office",
        "why": "Lost two",
        "basis": "CONSENT",
        "proportionality": "Only on shopping days",
        "lessRestrictiveOptions": ["A purse on a chain"],
        "agreedBy": "Mo Khan",
        "reviewBy": (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
        "riskDecisionId": ids["RiskDecision"],
        "effectiveAt": days_ago_iso(30),
    }
    ids["Restriction"] = api.mutate("imposeRestriction", restriction, MANAGER)["recordId"]
    incident = {"personId": person, "whatHappened": "Slipped", "location": "Kitchen",
                "immediateActions": "First aid", "harmLevel": "LOW", "staffInvolved": [],
                "effectiveAt": days_ago_iso(25)}  # fmt: skip
    ids["Incident"] = api.mutate("reportIncident", incident)["recordId"]
    change = {"incidentId": ids["Incident"], "what": "Mats", "lead": "Mo Khan",
              "reviewBy": (datetime.now(UTC) - timedelta(days=5)).date().isoformat(),
              "effectiveAt": days_ago_iso(20)}  # fmt: skip
    api.mutate("agreePracticeChange", change, MANAGER)  # past its review date: listed as open
    ids["SupportPlan"] = api.query("query($p: ID!) { supportPlan(personId: $p) { id } }",
                                   {"p": person})["supportPlan"]["id"]  # fmt: skip
    assert set(ids) == set(PERSONAL), "the fixture makes one record of every kind of a person's"
    move = {"personId": person, "serviceId": AFTER, "reason": "Moved to a flat nearer family"}
    api.mutate("movePerson", move, MANAGER)
    return ids


# Lists of a service's staff, not of the people it supports; a workforce finding is about how
# staff practised in the service they worked in then, so its records stay with that service.
WORKFORCE = {"workforceStatus", "competencyCoverage", "workforceFindings"}
SERVICE_WIDE = sorted(name for name, field in QUERY.fields.items()
                      if "serviceId" in field.args and name not in WORKFORCE)  # fmt: skip
PERSON_SCOPED = sorted(name for name, field in QUERY.fields.items() if "personId" in field.args)


def restrictions_in_force(answer: str) -> int:
    figures = json.loads(answer)["figures"]
    return next(int(f["count"]) for f in figures if f["measure"] == "RESTRICTIONS_IN_FORCE")


def test_every_service_wide_list_follows_the_person_to_their_new_service(
    api: Api, moved: dict[str, str]
) -> None:
    person, earlier = moved["Person"], days_ago_iso(5)
    for name in SERVICE_WIDE:
        now_before = json.dumps(ask(api, name, MANAGER, serviceId=BEFORE))
        now_after = json.dumps(ask(api, name, MANAGER, serviceId=AFTER))
        then_before = json.dumps(ask(api, name, MANAGER, serviceId=BEFORE, asOf=earlier))
        if name == "restrictivePracticeTrend":  # counts, not records
            assert '"imposed": 1' in now_after and '"imposed": 1' not in now_before, name
            assert '"imposed": 1' in then_before, name
            continue
        if name == "governance":  # counts, not records: the restriction counts where he is
            in_force = [restrictions_in_force(answer)
                        for answer in (now_after, now_before, then_before)]  # fmt: skip
            assert in_force == [1, 0, 1], name
            continue
        assert person in now_after and person not in now_before, name
        if "asOf" not in QUERY.fields[name].args:
            continue  # the change feed: what was recorded, scoped as the person index now is
        assert person in then_before, f"{name} at a moment before the move"


def test_every_scoped_read_follows_the_person_to_their_new_service(
    api: Api, moved: dict[str, str]
) -> None:
    person = moved["Person"]
    for name in PERSON_SCOPED:
        given = {"personId": person, "outcomeId": None}
        if "outcomeId" in QUERY.fields[name].args:
            plan = ask(api, "supportPlan", MANAGER, personId=person)
            given["outcomeId"] = plan["outcomes"][0]["id"]
        assert not says_something(ask(api, name, IN_BEFORE, **given)), name
        assert says_something(ask(api, name, IN_AFTER, **given)), name
    for kind, record_id in moved.items():
        assert not says_something(ask(api, "auditTrail", IN_BEFORE, streamId=record_id)), kind
        assert says_something(ask(api, "auditTrail", IN_AFTER, streamId=record_id)), kind
    for name in ("person", "assessment"):
        record_id = moved["Person" if name == "person" else "Assessment"]
        assert ask(api, name, IN_BEFORE, id=record_id) is None
        assert ask(api, name, IN_AFTER, id=record_id) is not None
    for name in ("incident", "incidentReconstruction"):
        assert ask(api, name, IN_BEFORE, incidentId=moved["Incident"]) is None, name
        assert ask(api, name, IN_AFTER, incidentId=moved["Incident"]) is not None, name


def test_the_change_feed_follows_the_person_to_their_new_service(
    api: Api, moved: dict[str, str]
) -> None:
    feed = "query { events(first: 100) { edges { node { streamId } } } }"
    api.reader = IN_BEFORE
    seen_before = {e["node"]["streamId"] for e in api.query(feed)["events"]["edges"]}
    api.reader = IN_AFTER
    seen_after = {e["node"]["streamId"] for e in api.query(feed)["events"]["edges"]}

    assert seen_before.isdisjoint(moved.values())
    assert set(moved.values()) <= seen_after
