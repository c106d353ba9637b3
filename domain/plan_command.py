"""How every command on a support plan finds it: by the person's id (a plan's id is derived
from it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, ClassVar

from annotated_types import MaxLen

from domain.commands import Command, Found, Key, Records, Text
from domain.person import Person
from domain.provider_policy import known_techniques
from domain.support_plan import SupportPlan

Strengths = Annotated[list[Text], MaxLen(50)]


@dataclass(frozen=True)
class PlanCommand(Command):
    person_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"person_id"})


def find_plan(records: Records, command: PlanCommand) -> Found[SupportPlan]:
    person = records.owned(Person, command.person_id, "personId")  # FORBIDDEN before NOT_FOUND
    missing = f"no support plan for person {command.person_id}: draft one first"
    plan = records.owned(SupportPlan, SupportPlan.create_id(str(person.id)), "personId", missing)
    return Found(plan, person.service_id)


def find_plan_and_techniques(records: Records, command: PlanCommand) -> Found[SupportPlan]:
    """The plan, and the techniques the provider signs staff off in (an outcome or a stage may
    name the one it relies on)."""
    return replace(find_plan(records, command), extra={"known": known_techniques(records)})
