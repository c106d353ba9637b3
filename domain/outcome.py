"""The parts of a support plan: measurable outcomes, each built on assessed strengths, and the
enablement steps that lead to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.pathway import Stage


@dataclass(frozen=True)
class EnablementStep:
    """strength -> weekly micro-step -> how progress will be evidenced."""

    step_id: str
    strength: str
    weekly_micro_step: str
    evidence_route: str


@dataclass(frozen=True)
class Outcome:
    outcome_id: str
    title: str
    baseline: str
    target: str
    evidenced_by: str
    builds_on: list[str]
    steps: list[EnablementStep] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)  # the step-down pathway, in order
    retired: bool = False
    agreed_at: datetime | None = None  # when it took effect (unknown in older snapshots)
    technique: str | None = None  # the technique staff rely on to support it (policy's key)


@dataclass(frozen=True)
class OutcomeTerms:
    """The measurable terms of an outcome; in a revision, None means "unchanged"."""

    title: str | None = None
    baseline: str | None = None
    target: str | None = None
    evidenced_by: str | None = None
    builds_on: list[str] | None = None
    technique: str | None = None  # kept lower case (domain.provider_policy.technique_key)

    def changes(self) -> dict[str, Any]:
        """The terms given, with surrounding whitespace removed."""
        changes = {
            name: value.strip() if isinstance(value, str) else [v.strip() for v in value]
            for name, value in vars(self).items()
            if value is not None
        }
        if isinstance(technique := changes.get("technique"), str):
            changes["technique"] = technique.lower()
        return changes
