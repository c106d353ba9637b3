"""Read models: tables kept up to date by following the global event log."""

from __future__ import annotations

from projections.assessments import Assessments
from projections.audit_trail import AuditTrail
from projections.base import AggregateCodec, Projection
from projections.people import People
from projections.support_plans import SupportPlans


def all_projections(codec: AggregateCodec) -> list[Projection]:
    return [People(codec), Assessments(codec), SupportPlans(codec), AuditTrail()]
