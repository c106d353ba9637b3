"""Every command that changes a record that may exist already takes the version the caller
decided on, and is refused with a conflict when the record has moved on since."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.care_records import CareRecords
from domain.catalogue import REGISTRY
from domain.commands import Change, Command
from domain.errors import VersionConflict
from domain.provider_policy import SetRestrictionReviewLimit
from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.restriction_commands import ImposeRestriction, ReviewRestriction
from domain.risk_decision_commands import AgreeRiskDecision, ProposeRiskDecision
from domain.service_practice import SetPromptLadder
from tests.support.scenarios import MANAGER, context

ONCE_CREATIONS = {SetPromptLadder, SetRestrictionReviewLimit, AgreeRiskDecision, ReviewRestriction}


def test_commands_on_an_existing_record_are_registered_as_changes() -> None:
    changes = {r.command for r in REGISTRY if isinstance(r, Change)}
    assert changes >= ONCE_CREATIONS


def stale(records: CareRecords, command: Command, version: int) -> VersionConflict:
    with pytest.raises(VersionConflict) as conflict:
        records.execute(replace(context(MANAGER, "Reviewed"), expected_version=version), command)
    return conflict.value


def test_each_of_them_refuses_a_stale_expected_version(records: CareRecords, person: str) -> None:
    records.execute(context(MANAGER), SetPromptLadder("svc-1", ["alone", "a reminder"]))
    records.execute(context(MANAGER), SetRestrictionReviewLimit(60))
    decision = records.execute(context(), ProposeRiskDecision(person, "Shops alone")).record_id
    review_by = records.clock().date() + timedelta(days=30)
    imposed = ImposeRestriction(person, "Card kept", "Lost two", RestrictionBasis.CONSENT,
                                "Only on shopping days", ["A purse"], "Mo", review_by)  # fmt: skip
    restriction = records.execute(context(MANAGER), imposed).record_id

    conflicts = [
        stale(records, SetPromptLadder("svc-1", ["alone", "shown how"]), 7),
        stale(records, SetRestrictionReviewLimit(30), 7),
        stale(records, AgreeRiskDecision(decision), 7),
        stale(records, ReviewRestriction(restriction, ReviewOutcome.LIFTED), 7),
    ]

    assert [(c.expected, c.actual) for c in conflicts] == [(7, 2), (7, 2), (7, 1), (7, 1)]
