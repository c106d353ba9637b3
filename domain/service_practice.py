"""How a service practises: the prompt ladder its staff record evidence against.

DOMAIN: a prompt ladder runs from the most independent rung to the most assisted. Staff record
which rung a person needed; stepping down the ladder over the weeks is progress. Each service
may name its own rungs; until it does, the default ladder applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from annotated_types import MaxLen
from eventsourcing.domain import event

from domain.commands import MANAGERS, Change, Command, Found, Key, Name, Records, Registration
from domain.envelope import RECORD_READERS, Envelope, Role
from domain.errors import Rules
from domain.publishing import SERVICE_ID, Field, PublishedEvent
from domain.record import Record
from domain.record_type import RecordType

DEFAULT_PROMPT_LADDER = ("independent", "gesture", "verbal cue", "minimal hands-on",
                         "full assistance")  # fmt: skip
MAX_RUNGS = 10


class ServicePractice(Record):
    @staticmethod
    def create_id(tenant_id: str, service_id: str, **_: Any) -> UUID:
        # One per service of a provider: derived, so two cannot be started.
        return uuid5(NAMESPACE_URL, f"stepwise:service-practice:{tenant_id}:{service_id}")

    @event("Started")
    def __init__(self, envelope: Envelope, service_id: str, id: UUID | None = None) -> None:
        self.tenant_id = envelope.tenant_id
        self.service_id = service_id
        self.prompt_ladder = list(DEFAULT_PROMPT_LADDER)

    def set_prompt_ladder(self, envelope: Envelope, rungs: list[str]) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        cleaned = [rung.strip() for rung in rungs]
        rules.check(2 <= len(cleaned) <= MAX_RUNGS, "service.prompt_ladder.size", "rungs",
                    f"a ladder has 2 to {MAX_RUNGS} rungs, most independent first")  # fmt: skip
        rules.check(all(cleaned), "service.prompt_ladder.blank_rung", "rungs",
                    "every rung needs a name")  # fmt: skip
        rules.check(len({r.casefold() for r in cleaned}) == len(cleaned),
                    "service.prompt_ladder.duplicate_rung", "rungs", "each rung once")  # fmt: skip
        rules.check(cleaned != self.prompt_ladder, "service.prompt_ladder.no_change", "rungs",
                    "the service's ladder is already exactly this")  # fmt: skip
        rules.enforce()
        self._ladder_set(envelope, cleaned)

    @event("PromptLadderSet")
    def _ladder_set(self, envelope: Envelope, rungs: list[str]) -> None:
        self.prompt_ladder = list(rungs)


def prompt_ladder(records: Records, service_id: str) -> list[str]:
    """The ladder a service records evidence against."""
    practice_id = ServicePractice.create_id(records.tenant_id, service_id)
    practice = records.found(ServicePractice, practice_id, "serviceId")
    return practice.prompt_ladder if practice else list(DEFAULT_PROMPT_LADDER)


@dataclass(frozen=True)
class SetPromptLadder(Command):
    """Name the rungs of a service's prompt ladder, most independent first (managers and
    tenant admins)."""

    service_id: Key
    rungs: Annotated[list[Name], MaxLen(MAX_RUNGS)]
    locators: ClassVar[frozenset[str]] = frozenset({"service_id"})


def find_practice(records: Records, command: SetPromptLadder) -> Found[ServicePractice]:
    practice_id = ServicePractice.create_id(records.tenant_id, command.service_id)
    return Found(records.found(ServicePractice, practice_id, "serviceId"), command.service_id)


def begin_practice(envelope: Envelope, command: SetPromptLadder) -> ServicePractice:
    practice_id = ServicePractice.create_id(envelope.tenant_id, command.service_id)
    return ServicePractice(envelope, command.service_id, id=practice_id)


COMMANDS: list[Registration] = [
    Change(
        SetPromptLadder,
        MANAGERS | {Role.TENANT_ADMIN},
        find_practice,
        ServicePractice.set_prompt_ladder,
        start=begin_practice,
    ),
]


# -- published payloads (domain.publishing) ---------------------------------------------------

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("ServicePractice.Started", 1, "A service's practice settings were first "
                   "recorded", (SERVICE_ID,)),
    PublishedEvent("ServicePractice.PromptLadderSet", 1, "A service named its prompt ladder", (
        Field("rungs", "The rungs, most independent first", "rungs"),)),
)  # fmt: skip


RECORD_TYPE = RecordType(
    ServicePractice, COMMANDS, PUBLISHED, person=None, service="service_id",
    readers=RECORD_READERS | {Role.TENANT_ADMIN}, creation_correctable=False,
)  # fmt: skip
