"""Evidence notes: dated observations against one active outcome of the person's plan, each saying
which rung of the service's prompt ladder the person needed; and the ladder a service names."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.care_records import CareRecords
from domain.envelope import CommandContext
from domain.errors import RulesViolated
from domain.evidence_note import EvidenceNote, Observation, RecordEvidenceNote
from domain.service_practice import DEFAULT_PROMPT_LADDER, ServicePractice, SetPromptLadder
from domain.support_plan import SupportPlan
from domain.support_plan_commands import AgreeOutcome, RetireOutcome
from tests.support.scenarios import MANAGER, AgreedPlan, agreed_plan, context, run
from tests.unit import given

OWN_LADDER = ["on her own", "a reminder", "shown how", "done together"]


@pytest.fixture
def plan(records: CareRecords) -> AgreedPlan:
    return agreed_plan(records)  # Ruth, supported by svc-1


def note(plan: AgreedPlan, **given_fields: Any) -> RecordEvidenceNote:
    fields: dict[str, Any] = {"note": "Chopped the onions, then the peppers"}
    return RecordEvidenceNote(plan.person_id, plan.outcome_id, **{**fields, **given_fields})


def observed(records: CareRecords, command: RecordEvidenceNote) -> Observation:
    written = run(records, command)
    recorded: Any = records.load(UUID(written.record_id))
    assert isinstance(recorded, EvidenceNote)
    return recorded.observation


def refused(records: CareRecords, command: Any, ctx: CommandContext | None = None) -> set[str]:
    """The rules a command broke; it must have stored nothing."""
    position = records.last_position()
    with pytest.raises(RulesViolated) as refusal:
        records.execute(ctx or context(), command)
    assert records.last_position() == position
    return given.rules(refusal)


# -- recording notes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "rung"), [("independent", 0), ("verbal cue", 2), ("full assistance", 4)]
)
def test_a_note_records_which_rung_of_the_default_prompt_ladder_the_person_needed(
    records: CareRecords, plan: AgreedPlan, level: str, rung: int
) -> None:
    observation = observed(records, note(plan, prompt_level=f" {level} "))

    assert (observation.prompt_level, observation.prompt_rung) == (level, rung)
    assert observation.ladder_rungs == len(DEFAULT_PROMPT_LADDER) == 5


def test_a_note_keeps_the_persons_confidence_steps_and_mood_against_its_outcome(
    records: CareRecords, plan: AgreedPlan
) -> None:
    command = note(plan, confidence=7, steps_completed=2, steps_of=3, mood=" cheerful ")

    observation = observed(records, command)

    assert observation == Observation(
        outcome_id=plan.outcome_id, note="Chopped the onions, then the peppers",
        confidence=7, steps_completed=2, steps_of=3, mood="cheerful",
    )  # fmt: skip


def test_a_note_that_names_no_prompt_level_has_no_rung(
    records: CareRecords, plan: AgreedPlan
) -> None:
    observation = observed(records, note(plan, refused=True))

    assert (observation.prompt_rung, observation.ladder_rungs, observation.refused) == (
        None,
        None,
        True,
    )


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"note": "  "}, "evidence.note_required"),
        ({"prompt_level": "shouted at"}, "evidence.prompt_level.unknown"),
        ({"prompt_level": "Verbal Cue"}, "evidence.prompt_level.unknown"),
        ({"steps_completed": 2}, "evidence.steps.incomplete"),
        ({"steps_of": 3}, "evidence.steps.incomplete"),
        ({"steps_completed": 4, "steps_of": 3}, "evidence.steps.more_than_total"),
    ],
)
def test_a_note_that_breaks_a_rule_is_refused_and_stores_nothing(
    records: CareRecords, plan: AgreedPlan, fields: dict[str, Any], rule: str
) -> None:
    assert refused(records, note(plan, **fields)) == {rule}


def test_a_note_against_an_outcome_the_plan_does_not_have_is_refused(
    records: CareRecords, plan: AgreedPlan
) -> None:
    command = replace(note(plan), outcome_id="outcome-never-agreed")

    assert refused(records, command) == {"evidence.outcome.unknown"}


def test_a_note_against_a_retired_outcome_is_refused(
    records: CareRecords, plan: AgreedPlan
) -> None:
    second = AgreeOutcome(plan.person_id, "Shops alone", "Shops with staff", "Weekly shop",
                          "Receipts", ["Walks to the shop"])  # fmt: skip
    outcome_id = run(records, second, MANAGER, reason="She asked").part_id or ""
    run(records, RetireOutcome(plan.person_id, outcome_id), MANAGER, reason="Not wanted")

    assert refused(records, replace(note(plan), outcome_id=outcome_id)) == {
        "evidence.outcome.unknown"
    }


def test_a_note_about_a_time_before_its_outcome_was_agreed_is_refused(
    records: CareRecords, plan: AgreedPlan
) -> None:
    stored: Any = records.load(SupportPlan.create_id(plan.person_id))
    outcome = stored.outcomes[plan.outcome_id]
    earlier = replace(context(), effective_at=outcome.agreed_at - timedelta(minutes=1))

    assert refused(records, note(plan), earlier) == {"evidence.effective_before_outcome"}


# -- a service's own prompt ladder ------------------------------------------------------------


def test_a_service_with_its_own_ladder_records_notes_against_its_rungs(
    records: CareRecords, plan: AgreedPlan
) -> None:
    run(records, SetPromptLadder("svc-1", OWN_LADDER), MANAGER)

    observation = observed(records, note(plan, prompt_level="shown how"))

    assert (observation.prompt_rung, observation.ladder_rungs) == (2, 4)
    assert refused(records, note(plan, prompt_level="verbal cue")) == {
        "evidence.prompt_level.unknown"
    }


def test_a_ladder_named_by_another_service_leaves_the_default_ladder_in_use(
    records: CareRecords, plan: AgreedPlan
) -> None:
    run(records, SetPromptLadder("svc-2", OWN_LADDER), MANAGER)

    observation = observed(records, note(plan, prompt_level="verbal cue"))

    assert (observation.prompt_rung, observation.ladder_rungs) == (2, 5)


def test_a_service_keeps_one_practice_record_however_often_its_ladder_is_renamed(
    records: CareRecords,
) -> None:
    first = run(records, SetPromptLadder("svc-1", OWN_LADDER), MANAGER)
    second = run(records, SetPromptLadder("svc-1", OWN_LADDER[:3]), MANAGER)

    assert second.record_id == first.record_id
    assert (first.version, second.version) == (2, 3)  # started once, then set twice
    practice: Any = records.load(UUID(second.record_id))
    assert practice.prompt_ladder == OWN_LADDER[:3]


def practice() -> ServicePractice:
    practice_id = ServicePractice.create_id(given.TENANT, given.SERVICE)
    started = ServicePractice(given.envelope(), given.SERVICE, id=practice_id)
    return given.past(started)


def test_a_services_ladder_starts_as_the_default_and_is_set_rung_by_rung_trimmed() -> None:
    service = practice()
    assert service.prompt_ladder == list(DEFAULT_PROMPT_LADDER)

    service.set_prompt_ladder(given.envelope(), [" on her own ", "a reminder", "done together"])

    [ladder_set] = service.collect_events()
    assert type(ladder_set).__name__ == "PromptLadderSet"
    assert ladder_set.rungs == ["on her own", "a reminder", "done together"]
    assert service.prompt_ladder == ladder_set.rungs


@pytest.mark.parametrize(
    ("rungs", "rule"),
    [
        (["on her own"], "service.prompt_ladder.size"),
        ([f"rung {n}" for n in range(11)], "service.prompt_ladder.size"),
        (["on her own", "  ", "done together"], "service.prompt_ladder.blank_rung"),
        (["a reminder", "A Reminder "], "service.prompt_ladder.duplicate_rung"),
        ([f" {rung}" for rung in DEFAULT_PROMPT_LADDER], "service.prompt_ladder.no_change"),
    ],
)
def test_a_ladder_that_is_too_short_or_long_blank_repeated_or_unchanged_is_refused(
    rungs: list[str], rule: str
) -> None:
    service = practice()

    with pytest.raises(RulesViolated) as refusal:
        service.set_prompt_ladder(given.envelope(), rungs)

    assert given.rules(refusal) == {rule}
    assert service.collect_events() == []
