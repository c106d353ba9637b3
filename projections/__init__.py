"""Read models: tables kept up to date by following the global event log. A new read model is
registered here, once."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections.assessments import Assessments
from projections.audit_chain import AuditChain, ReadStored
from projections.base import ReadModel
from projections.chronology import Chronology
from projections.codec import AggregateCodec
from projections.evidence_notes import EvidenceNotes
from projections.feed import Feed
from projections.incidents import Incidents
from projections.people import People
from projections.practice import Practice
from projections.progression import Progression
from projections.restrictions import Restrictions
from projections.risk_decisions import RiskDecisions
from projections.settings import ProviderPolicies, ServicePractices
from projections.staff import Staff
from projections.support_plans import SupportPlans
from projections.webhooks import Webhooks


def all_read_models(
    codec: AggregateCodec,
    read_stored: ReadStored,
    signing_key: Ed25519PrivateKey | None,
    checkpoint_seconds: float | None = None,
) -> list[ReadModel]:
    return [
        People(codec),
        Assessments(codec),
        SupportPlans(codec),
        EvidenceNotes(codec),
        Progression(codec),
        RiskDecisions(codec),
        Restrictions(codec),
        Incidents(codec),
        Staff(codec),
        ServicePractices(codec),
        ProviderPolicies(codec),
        Webhooks(codec),
        Chronology(),
        Feed(),
        Practice(),
        AuditChain(read_stored, signing_key, checkpoint_seconds),
    ]
