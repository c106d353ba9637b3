"""Read models: tables kept up to date by following the global event log."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.assessments import Assessments
from projections.audit_chain import AuditChain, ReadStored
from projections.base import ReadModel
from projections.folding import AggregateCodec
from projections.people import People
from projections.progression import Progression
from projections.restrictions import RestrictivePractice
from projections.reviews import ReviewSchedule
from projections.risk import Alignment, RiskDecisions
from projections.support_plans import SupportPlans


def all_read_models(
    codec: AggregateCodec, read_stored: ReadStored, signing_key: Ed25519PrivateKey | None
) -> list[ReadModel]:
    return [
        People(codec),
        Assessments(codec),
        SupportPlans(codec),
        Progression(),
        ReviewSchedule(),
        RiskDecisions(),
        RestrictivePractice(),
        Alignment(),
        AuditChain(read_stored, signing_key),
    ]
