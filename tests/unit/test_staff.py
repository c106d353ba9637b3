"""Staff records: who joined, where they work, their induction (complete only with every part
and the new starter's confirmation), reflective supervision and competency sign-offs resting
on observed practice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.care_records import CareRecords
from domain.commands import Command
from domain.envelope import Actor, Role
from domain.errors import Forbidden, RecordNotFound, RulesViolated
from domain.person_commands import RegisterPerson
from domain.provider_policy import AddTechnique
from domain.staff import InductionPart, StaffMember, Technique
from domain.staff_commands import (
    CompleteInduction,
    HoldSupervision,
    JoinStaff,
    MoveStaff,
    RecordInduction,
    RecordStaffLeaving,
    SignOffCompetency,
)
from tests.support.scenarios import MANAGER, TENANT, WORKER, context
from tests.unit import given

SENIOR = Actor("u-sam", "Sam Adeyemi", Role.SENIOR_SUPPORT_WORKER)


def run(records: CareRecords, command: Command, actor: Actor = MANAGER,
        reason: str | None = None, days_ago: int = 0) -> None:  # fmt: skip
    when = records.clock() - timedelta(days=days_ago)
    records.execute(replace(context(actor, reason), effective_at=when), command)


def refused(records: CareRecords, command: Command, actor: Actor = MANAGER) -> set[str]:
    position = records.last_position()
    with pytest.raises(RulesViolated) as refusal:
        records.execute(context(actor), command)
    assert records.last_position() == position
    return given.rules(refusal)


def staff(records: CareRecords, subject: str = "staff-ann") -> StaffMember:
    found = records.load(StaffMember.create_id(TENANT, subject))
    assert isinstance(found, StaffMember)
    return found


@pytest.fixture
def ann(records: CareRecords) -> str:
    run(records, JoinStaff("staff-ann", "Ann Lee", Role.SUPPORT_WORKER, "svc-1", "day"),
        days_ago=60)  # fmt: skip
    return "staff-ann"


def test_a_staff_member_is_found_by_the_subject_their_tokens_carry(
    records: CareRecords, ann: str
) -> None:
    joined = staff(records, ann)
    assert (joined.name, joined.service_id, joined.team_id, joined.role) == (
        "Ann Lee",
        "svc-1",
        "day",
        Role.SUPPORT_WORKER,
    )
    assert refused(records, JoinStaff(ann, "Ann Lee", Role.SUPPORT_WORKER, "svc-1")) == {
        "staff.already_joined"
    }
    assert refused(records, JoinStaff("u-ivy", "Ivy", Role.INSPECTOR, "svc-1")) == {
        "staff.role.not_staff"
    }


def test_an_induction_is_complete_only_with_every_part_and_the_confirmation(
    records: CareRecords, ann: str
) -> None:
    run(records, RecordInduction(ann, InductionPart.COMPETENCY_CHECK, "Prompt ladder"), SENIOR)

    rules = refused(records, CompleteInduction(ann, "  "))

    assert rules == {
        "staff.induction.observed_practice_discussion_required",
        "staff.induction.learning_outcome_required",
        "staff.induction.supervision_follow_up_required",
        "staff.induction.probation_review_required",
        "staff.induction.confirmation_required",
    }
    follow_up = RecordInduction(ann, InductionPart.SUPERVISION_FOLLOW_UP, "Agreed")
    assert refused(records, follow_up) == {"staff.induction.follow_up_date_required"}
    for part in InductionPart:
        run(records, RecordInduction(ann, part, f"{part} done", date(2031, 1, 1)), SENIOR)
    run(records, CompleteInduction(ann, "I support people to do it, not do it for them"))
    assert staff(records, ann).induction_completed_on == records.clock().date()
    late = RecordInduction(ann, InductionPart.PROBATION_REVIEW, "Again")
    assert refused(records, late) == {"staff.induction.completed"}


def test_supervision_is_reflective_and_always_has_a_next_date(
    records: CareRecords, ann: str
) -> None:
    today = records.clock().date()
    empty = HoldSupervision(ann, " ", "", " ", [" "], today)

    assert refused(records, empty, SENIOR) == {
        "staff.supervision.doing_for_challenged_required",
        "staff.supervision.restrictive_responses_reviewed_required",
        "staff.supervision.progression_achieved_required",
        "staff.supervision.agreed_actions_required",
        "staff.supervision.next_due_not_future",
    }
    held = HoldSupervision(ann, "Made tea for Ruth: next time prompt", "None in force",
                           "Ruth cooks pasta with one prompt", ["Observe a prompt"],
                           today + timedelta(weeks=6))  # fmt: skip
    run(records, held, SENIOR)
    [supervision] = staff(records, ann).supervisions
    assert (supervision.supervisor, supervision.next_due) == (
        "Sam Adeyemi",
        today + timedelta(weeks=6),
    )
    assert staff(records, ann).supervision_due() == today + timedelta(weeks=6)


def test_a_sign_off_rests_on_observed_practice_and_lapses_at_its_refresher(
    records: CareRecords, ann: str
) -> None:
    today = records.clock().date()
    unfounded = SignOffCompetency(ann, Technique.PROMPT_LADDER, "  ", today)

    assert refused(records, unfounded) == {"staff.competency.evidence_required",
                                           "staff.competency.refresher_not_future"}  # fmt: skip
    signed = SignOffCompetency(ann, Technique.PROMPT_LADDER, "Watched her with Ruth at tea",
                               today + timedelta(days=365))  # fmt: skip
    run(records, signed)
    sign_off = staff(records, ann).sign_offs["prompt_ladder"]
    assert sign_off.signed_off_by == "Mo Khan" and sign_off.current_on(today)
    assert not sign_off.current_on(today + timedelta(days=366))


def test_only_the_roles_listed_record_workforce_facts(records: CareRecords, ann: str) -> None:
    with pytest.raises(Forbidden):
        records.execute(context(WORKER), RecordInduction(ann, InductionPart.PROBATION_REVIEW, "x"))
    with pytest.raises(Forbidden):
        records.execute(context(SENIOR), SignOffCompetency(ann, Technique.PROMPT_LADDER, "x",
                                                           date(2031, 1, 1)))  # fmt: skip


def test_a_staff_member_who_left_takes_no_more_facts(records: CareRecords, ann: str) -> None:
    assert refused(records, RecordStaffLeaving(ann)) == {"staff.leave.reason_required"}
    run(records, RecordStaffLeaving(ann), reason="Moved away")
    assert staff(records, ann).left_on == records.clock().date()
    assert refused(records, MoveStaff(ann, "svc-2")) == {"staff.left"}


def test_moving_to_where_they_already_work_is_refused(records: CareRecords, ann: str) -> None:
    assert refused(records, MoveStaff(ann, "svc-1", "day")) == {"staff.move.no_change"}
    run(records, MoveStaff(ann, "svc-1", "night"))
    assert staff(records, ann).team_id == "night"


def test_an_unknown_member_of_staff_is_not_found(records: CareRecords) -> None:
    with pytest.raises(RecordNotFound):
        records.execute(context(MANAGER), MoveStaff("staff-nobody", "svc-1"))
    assert StaffMember.create_id(TENANT, "x") != StaffMember.create_id("other", "x")
    assert isinstance(StaffMember.create_id(TENANT, "x"), UUID)


def test_whoever_writes_as_staff_is_on_the_providers_staff(records: CareRecords) -> None:
    stranger = Actor("u-zed", "Zed Cole", Role.SUPPORT_WORKER)
    position = records.last_position()

    with pytest.raises(Forbidden) as refusal:
        records.execute(context(stranger), RegisterPerson("Ruth Evans", "svc-1", None, "t-1"))

    assert refusal.value.rule == "access.not_staff" and "joinStaff" in str(refusal.value)
    assert records.last_position() == position
    run(records, JoinStaff("u-zed", "Zed Cole", Role.SUPPORT_WORKER, "svc-1"))
    records.execute(context(stranger), RegisterPerson("Ruth Evans", "svc-1", None, "t-1"))


def test_a_staff_member_who_left_writes_no_more(records: CareRecords, ann: str) -> None:
    run(records, RecordStaffLeaving(ann), reason="Moved away")

    with pytest.raises(Forbidden) as refusal:
        records.execute(context(Actor(ann, "Ann Lee", Role.SUPPORT_WORKER)),
                        RegisterPerson("Ruth Evans", "svc-1", None, "t-1"))  # fmt: skip

    assert refusal.value.rule == "access.staff_left"


def test_an_integration_client_and_the_providers_admin_write_without_a_staff_record(
    records: CareRecords,
) -> None:
    feed = Actor("c-feed", "Case system feed", Role.INTEGRATION_CLIENT)
    admin = Actor("u-ada", "Ada Price", Role.TENANT_ADMIN)

    records.execute(replace(context(feed), writes_granted=True),
                    RegisterPerson("Ruth Evans", "svc-1", None, "t-1"))  # fmt: skip
    records.execute(context(admin), JoinStaff("u-new", "New Starter", Role.MANAGER, "svc-1"))

    assert staff(records, "u-new").role is Role.MANAGER


def test_a_technique_is_one_the_provider_knows(records: CareRecords, ann: str) -> None:
    due = records.clock().date() + timedelta(days=300)
    assert refused(records, SignOffCompetency(ann, "TRAVEL_TRAINING", "Observed", due)) == {
        "staff.competency.technique_unknown"}  # fmt: skip
    assert refused(records, AddTechnique("PROMPT_LADDER", "Again")) == {"policy.technique.known"}
    assert refused(records, AddTechnique("TRAVEL_TRAINING", " ")) == {
        "policy.technique.description_required"}  # fmt: skip

    run(records, AddTechnique("TRAVEL_TRAINING", "Learning a route stop by stop"))
    run(records, SignOffCompetency(ann, "TRAVEL_TRAINING", "Observed on the bus", due))

    assert set(staff(records, ann).sign_offs) == {"travel_training"}
    assert refused(records, AddTechnique("travel_training", "Twice")) == {"policy.technique.known"}
