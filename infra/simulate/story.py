"""One simulated person's history as it is written: an agenda of what happens on each day of
it, run in order of time through the batch, every command by a member of staff of the
person's service with the role it needs, on the day it took effect."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from domain.commands import Command, NewIds
from domain.envelope import Actor, CommandContext, Role
from infra.simulate.batch import Batch, Done
from infra.simulate.words import SERVICES, Theme

TENANT = "simulated-provider"
STAFF_NAMES = ("Priya Shah", "Tom Okafor", "Helen Marsh", "Ravi Gill", "Jess Carter",
               "Ade Bello", "Nina Kaur", "Mark Doyle", "Lucy Ward", "Femi Ade", "Kate Lowe",
               "Omar Aziz", "Beth Hale", "Sean Kerr", "Anya Rose", "Dev Mistry")  # fmt: skip

Act = Callable[[datetime], object]


@dataclass(frozen=True)
class Staff:
    """Who works in a service: support workers write most notes, a senior keeps the plan, a
    manager agrees it and decides what only managers may."""

    workers: tuple[Actor, Actor]
    senior: Actor
    manager: Actor


def staff_of(service_index: int) -> Staff:
    names = STAFF_NAMES[service_index * 4 : service_index * 4 + 4]
    service = SERVICES[service_index][0]

    def actor(n: int, role: Role) -> Actor:
        return Actor(f"staff-{service}-{n}", names[n], role)

    return Staff(
        (actor(0, Role.SUPPORT_WORKER), actor(1, Role.SUPPORT_WORKER)),
        actor(2, Role.SENIOR_SUPPORT_WORKER),
        actor(3, Role.MANAGER),
    )


@dataclass
class Story:
    """A person's agenda and what later entries refer to (ids, and the plan as the story
    knows it, so that every command it asks for is one the rules allow)."""

    batch: Batch
    rng: random.Random
    key: str  # every command's idempotency key starts with it, so ids follow from the seed
    first_day: datetime  # midnight of the day the story starts
    days: int
    service: int
    ladder: tuple[str, ...]  # the service's prompt ladder, most independent rung first
    theme: Theme
    second_theme: Theme
    name: str = ""
    person_id: str = ""
    has_advocate: bool = False
    commands: int = 0
    # each day's entries: (minute of the day, order put on the agenda, what happens)
    agenda: dict[int, list[tuple[int, int, Act]]] = field(default_factory=dict)

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @cached_property
    def staff(self) -> Staff:
        return staff_of(self.service)

    @property
    def service_id(self) -> str:
        return SERVICES[self.service][0]

    def words(self, text: str) -> str:
        return text.replace("{name}", self.first_name)

    def pick(self, choices: tuple[str, ...] | list[str]) -> str:
        return self.words(self.rng.choice(choices))

    def worker(self) -> Actor:
        return self.rng.choice(self.staff.workers)

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        return self.first_day + timedelta(days=day, hours=hour, minutes=minute)

    def on(self, day: int, hour: int, minute: int, act: Act) -> None:
        """Puts something on the agenda; days after the story ends are left out."""
        if 0 <= day < self.days:
            entries = self.agenda.setdefault(day, [])
            entries.append((hour * 60 + minute, len(entries), act))

    def run(self, who: Actor, at: datetime, command: Command, reason: str | None = None) -> Done:
        self.commands += 1
        key = f"{self.key}:{self.commands}"
        context = CommandContext(actor=who, tenant_id=TENANT, correlation_id=key,
                                 effective_at=at, reason=reason, idempotency_key=key)  # fmt: skip
        return self.batch.run(context, command)

    def by(self, who: Actor, command: Command, reason: str | None = None) -> Act:
        """The command as an agenda entry, run by `who` when its time comes."""
        return lambda at: self.run(who, at, command, reason)

    def last_part(self, kind: str) -> str:
        """The id a part of the last command got: they follow from its key (NewIds)."""
        return NewIds(TENANT, f"{self.key}:{self.commands}").part(kind)

    def live_day(self, day: int) -> None:
        """Runs what the agenda holds for a day, in order of time."""
        midnight = self.first_day + timedelta(days=day)
        for minute, _, act in sorted(self.agenda.pop(day, [])):  # the order breaks every tie
            act(midnight + timedelta(minutes=minute))
