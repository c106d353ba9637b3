"""Commands on staff records, and who may issue them: managers (and tenant admins) record who
joins, moves and leaves; a senior support worker or a manager records induction and holds
supervision; managers complete inductions and sign off competence.

A staff member is named by their token's subject (`staffId`), the id events carry as actor."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, ClassVar

from annotated_types import MaxLen

from domain.commands import (
    MANAGERS,
    STAFF,
    Change,
    Command,
    Creation,
    Found,
    Key,
    Name,
    NewIds,
    Records,
    Registration,
    Seal,
    Text,
)
from domain.envelope import Role
from domain.errors import RecordNotFound, Rules
from domain.provider_policy import known_techniques, technique_key
from domain.record_type import RecordType
from domain.staff import (
    InductionEntry,
    InductionPart,
    SignOff,
    StaffMember,
    Supervision,
)
from domain.staff_published import PUBLISHED

SENIORS = frozenset({Role.SENIOR_SUPPORT_WORKER, Role.MANAGER})
Items = Annotated[list[Text], MaxLen(30)]


@dataclass(frozen=True)
class JoinStaff(Command):
    """Record that someone joined the staff (managers and tenant admins): who (`staffId`, the
    subject their tokens carry), their role, service and team; effectiveAt is their start."""

    staff_id: Key
    name: Name
    role: Role
    service_id: Key
    team_id: Key | None = None


@dataclass(frozen=True)
class StaffCommand(Command):
    staff_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"staff_id"})


@dataclass(frozen=True)
class MoveStaff(StaffCommand):
    """Move a member of staff to another service or team (managers)."""

    service_id: Key
    team_id: Key | None = None


@dataclass(frozen=True)
class RecordStaffLeaving(StaffCommand):
    """Record that a member of staff left, and why (managers)."""


@dataclass(frozen=True)
class RecordInduction(StaffCommand):
    """Record a part of a new starter's induction (senior support workers and managers): a
    competency check, an observed practice discussion, a strengths-based learning outcome met,
    a supervision follow-up date agreed (followUpOn), or the probation review."""

    part: InductionPart
    detail: Text
    follow_up_on: date | None = None


@dataclass(frozen=True)
class CompleteInduction(StaffCommand):
    """Complete an induction (managers): refused until every part is recorded and the new
    starter's confirmation of how strengths-based practice applies in this service is given."""

    confirmation: Text


@dataclass(frozen=True)
class HoldSupervision(StaffCommand):
    """Record a reflective supervision (senior support workers and managers; effectiveAt is
    when it was held): where "doing for" was challenged, the restrictive responses reviewed, the
    progression achieved, the actions agreed and when the next is due."""

    doing_for_challenged: Text
    restrictive_responses_reviewed: Text
    progression_achieved: Text
    agreed_actions: Items
    next_due: date

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"supervision": self}


@dataclass(frozen=True)
class SignOffCompetency(StaffCommand):
    """Sign off a member of staff in a technique (managers), on the observed practice it rests
    on, until its refresher is due."""

    technique: Key  # a standard technique (PROMPT_LADDER, ...) or one the provider added
    evidence: Text
    refresher_due: date

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"sign_off": self}


def join(records: Records, command: JoinStaff, seal: Seal, ids: NewIds) -> StaffMember:
    envelope = seal(command.service_id.strip())
    staff_id = StaffMember.create_id(records.tenant_id, command.staff_id.strip())
    rules = Rules()
    rules.check(not records.exists(staff_id), "staff.already_joined", "staffId",
                f"{command.staff_id} is on the staff already: move them instead")  # fmt: skip
    rules.check(command.role in STAFF, "staff.role.not_staff", "role",
                f"staff records are kept for {sorted(r.value for r in STAFF)}")  # fmt: skip
    rules.require_text(command.name, "staff.name.required", "name", "their name")
    rules.require_text(command.service_id, "staff.service.required", "serviceId", "a service")
    rules.enforce()
    return StaffMember(envelope, command.staff_id.strip(), command.name.strip(), command.role,
                       command.service_id.strip(), (command.team_id or "").strip() or None,
                       id=staff_id)  # fmt: skip


def find_staff(records: Records, command: StaffCommand) -> Found[StaffMember]:
    staff_id = StaffMember.create_id(records.tenant_id, command.staff_id)
    missing = f"no member of staff {command.staff_id!r}: record that they joined first"
    try:
        staff = records.owned(StaffMember, staff_id, "staffId", missing)
    except RecordNotFound as absent:
        raise RecordNotFound("StaffMember", command.staff_id, missing) from absent
    return Found(staff, staff.service_id)


def supervision_of(command: HoldSupervision, held_on: date, supervisor: str) -> Supervision:
    return Supervision(held_on, supervisor, command.doing_for_challenged.strip(),
                       command.restrictive_responses_reviewed.strip(),
                       command.progression_achieved.strip(),
                       [a.strip() for a in command.agreed_actions if a.strip()],
                       command.next_due)  # fmt: skip


def hold_supervision(staff: StaffMember, envelope: Any, supervision: HoldSupervision) -> None:
    """Held on the effective date, by whoever records it."""
    held = supervision_of(supervision, envelope.effective_at.date(), envelope.actor.name)
    staff.hold_supervision(envelope, held)


def find_staff_and_techniques(records: Records, command: SignOffCompetency) -> Found[StaffMember]:
    """The member of staff, and the techniques the provider signs staff off in."""
    found = find_staff(records, command)
    return replace(found, extra={"known": known_techniques(records)})


def sign_off(
    staff: StaffMember, envelope: Any, sign_off: SignOffCompetency, known: frozenset[str]
) -> None:
    """Signed off on the effective date, by whoever records it."""
    given = SignOff(technique_key(sign_off.technique), envelope.actor.name,
                    sign_off.evidence.strip(), envelope.effective_at.date(),
                    sign_off.refresher_due)  # fmt: skip
    staff.sign_off(envelope, given, known)


COMMANDS: list[Registration] = [
    Creation(JoinStaff, MANAGERS | {Role.TENANT_ADMIN}, join),
    Change(MoveStaff, MANAGERS | {Role.TENANT_ADMIN}, find_staff, StaffMember.move),
    Change(RecordStaffLeaving, MANAGERS | {Role.TENANT_ADMIN}, find_staff, StaffMember.leave),
    Change(RecordInduction, SENIORS, find_staff, StaffMember.record_induction),
    Change(CompleteInduction, MANAGERS, find_staff, StaffMember.complete_induction),
    Change(HoldSupervision, SENIORS, find_staff, hold_supervision),
    Change(SignOffCompetency, MANAGERS, find_staff_and_techniques, sign_off, adds=("known",)),
]

# Workforce records are read by those who manage, inspect or commission the service.
READERS = frozenset({Role.SENIOR_SUPPORT_WORKER, Role.MANAGER, Role.INSPECTOR,
                     Role.COMMISSIONER, Role.TENANT_ADMIN})  # fmt: skip

RECORD_TYPE = RecordType(
    StaffMember, COMMANDS, PUBLISHED,
    value_types={"induction_entry": InductionEntry, "supervision": Supervision,
                 "sign_off": SignOff},
    person=None, service="service_id", readers=READERS,
    creation_correctable=False,
)  # fmt: skip
