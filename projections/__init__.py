"""Read models: tables kept up to date by following the global event log."""

from __future__ import annotations

from projections.assessments import Assessments
from projections.base import ReadModel
from projections.folding import AggregateCodec
from projections.people import People
from projections.support_plans import SupportPlans


def all_read_models(codec: AggregateCodec) -> list[ReadModel]:
    return [People(codec), Assessments(codec), SupportPlans(codec)]
