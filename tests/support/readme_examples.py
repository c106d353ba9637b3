"""Running the README's GraphQL examples on the demo: who asks, what its "…" placeholders stand
for, the dates moved to the demo as loaded today, and answers compared as the README shows them.

Placeholders: a string holding `…` is filled by the name of the argument, input field or
variable it is given to (`Demo.fill`), from the demo person the example's note is about (Daniel
Price unless it says otherwise). `expectedVersion` always gets the plan's current version, and
`idempotencyKey` a fresh key, since no figure written in prose stays current. In a JSON answer,
`"…"` stands for any value and a field left out is not compared."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graphql import (
    ArgumentNode,
    IntValueNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from api.auth import SCOPED_ROLES, WRITE_SCOPE
from domain.envelope import Actor, Role
from infra.cli.tokens import DEMO_READERS
from infra.demo import DEMO_SERVICES, DEMO_TENANT, STAFF
from infra.demo.loader import ADMIN
from tests.e2e.helpers import Api, Staff

ANY = "…"
DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?=T|\b)")
DEFAULT_PERSON = "Daniel Price"
ACTORS: dict[Role, Actor] = {
    actor.role: actor for actor in [*STAFF.values(), ADMIN, *DEMO_READERS.values()]
}


def caller(role: str) -> Staff:
    """The demo's member of staff in that role, with the token `stepwise serve --demo` prints."""
    actor = ACTORS[Role(role)]
    return Staff(actor.id, actor.name, actor.role.value, tenant=DEMO_TENANT,
                 services=DEMO_SERVICES if actor.role in SCOPED_ROLES else None,
                 grant_days=30 if actor.role is Role.INSPECTOR else None,
                 scope=WRITE_SCOPE if actor.role is Role.INTEGRATION_CLIENT else None)  # fmt: skip


def moved(text: str, days: int) -> str:
    """Every date in the text, `days` later (the demo is written relative to the day it loads)."""
    return DAY.sub(lambda m: (date.fromisoformat(m[1]) + timedelta(days=days)).isoformat(), text)


class Filling(Visitor):
    def __init__(self, fill: Callable[[str], Any], days: int) -> None:
        super().__init__()
        self.fill, self.days = fill, days

    def _value(self, name: str, value: Any) -> Any:
        if name == "expectedVersion" and isinstance(value, IntValueNode):
            return IntValueNode(value=str(self.fill(name)))
        if isinstance(value, StringValueNode):
            text = str(self.fill(name)) if ANY in value.value else moved(value.value, self.days)
            return StringValueNode(value=text)
        return value

    def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode:
        return ArgumentNode(name=node.name, value=self._value(node.name.value, node.value))

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> ObjectFieldNode:
        return ObjectFieldNode(name=node.name, value=self._value(node.name.value, node.value))


def filled(document: str, fill: Callable[[str], Any], days: int) -> tuple[str, dict[str, Any]]:
    """The document with its placeholders filled and dates moved, and its variables' values."""
    tree = parse(document)
    variables = {
        definition.variable.name.value: fill(definition.variable.name.value)
        for operation in tree.definitions
        if isinstance(operation, OperationDefinitionNode)
        for definition in operation.variable_definitions or ()
    }
    return print_ast(visit(tree, Filling(fill, days))), variables


def fresh_key() -> str:
    return str(uuid.uuid4())


def matches(shown: Any, answered: Any) -> bool:
    """Whether the answer says what the README shows: `"…"` is any value, fields left out are
    not compared, lists are compared item by item, numbers by value."""
    if shown == ANY:
        return True
    if isinstance(shown, dict):
        return isinstance(answered, dict) and all(
            key in answered and matches(value, answered[key]) for key, value in shown.items()
        )
    if isinstance(shown, list):
        return (isinstance(answered, list) and len(shown) == len(answered)
                and all(map(matches, shown, answered)))  # fmt: skip
    return bool(shown == answered)


def found_at(answer: Any, path: str) -> list[Any]:
    """Every value at the dotted path (`.`: the answer itself), through lists as well as
    objects."""
    values = [answer]
    for key in filter(None, path.split(".")):
        values = [v for value in values for v in (value if isinstance(value, list) else [value])]
        values = [value[key] for value in values if isinstance(value, dict) and key in value]
    return values


def empty(value: Any) -> bool:
    """An answer that shows nothing: null, an empty list, or a page without edges."""
    if isinstance(value, dict) and "edges" in value:
        return not value["edges"]
    return value is None or value == []


RECORDS = """query($p: ID!, $t: [RecordType!]) { personChronology(personId: $p, recordTypes: $t,
  first: 100) { edges { node { record { recordId } } } } }"""
PLAN = "query($p: ID!) { supportPlan(personId: $p) { version outcomes { id } } }"


@dataclass
class Demo:
    """The demo on one backend, served by the app and reached by commands: its people by name,
    and the values the README's placeholders stand for."""

    api: Api
    folder: Path  # where its commands run
    environment: dict[str, str]  # the settings its commands run with
    people: dict[str, str] = field(default_factory=dict)

    def fill(self, person: str) -> Callable[[str], Any]:
        person_id = self.people[person]

        def value(name: str) -> Any:
            if name in ("personId", "streamId"):
                return person_id
            if name == "idempotencyKey":
                return fresh_key()
            if name in ("outcomeId", "expectedVersion"):
                plan = self.api.query(PLAN, {"p": person_id})["supportPlan"]
                return plan["outcomes"][0]["id"] if name == "outcomeId" else plan["version"]
            if name == "incidentId":
                return self.record_of(person_id, "INCIDENT")
            if name == "eventId":  # a fact that may be marked entered in error: a note's
                return f"{self.record_of(person_id, 'EVIDENCE_NOTE')}/1"
            raise LookupError(f"no demo value for `{name}`: add one to {__name__}.Demo.fill")

        return value

    def record_of(self, person_id: str, record_type: str) -> str:
        """The person's latest record of that kind, by when it took effect."""
        page = self.api.query(RECORDS, {"p": person_id, "t": [record_type]})["personChronology"]
        return str(page["edges"][-1]["node"]["record"]["recordId"])
