"""service_practices and provider_policies: each service's practice (its prompt ladder) and each
provider's policy (its limit between restriction reviews, its own techniques), as they stand
and as they stood."""

from __future__ import annotations

import json

from domain.provider_policy import (
    DEFAULT_DOING_FOR,
    DEFAULT_STATIC_PLAN_MONTHS,
    DEFAULT_SUPPORTING_WITH,
    ProviderPolicy,
)
from domain.service_practice import ServicePractice
from projections.base import Batch, Event, Row, Table, Tables, Transaction
from projections.event_records import document_text
from projections.folding import RecordTable
from projections.states import Moment, state_at, states_table

PRACTICE = """practice_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at {timestamp} NOT NULL"""
POLICY = """policy_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at {timestamp} NOT NULL"""


class ServicePractices(RecordTable):
    name = "service_practices"
    aggregate = ServicePractice
    key = "practice_id"
    states = "service_practice_states"
    state_columns = ("practice_id", "tenant_id", "service_id", "document", "version",
                     "updated_at")  # fmt: skip
    tables = (
        Table("service_practices", f"{PRACTICE}, aggregate_state {{blob}} NOT NULL",
              primary_key="practice_id"),
        states_table("service_practice_states", "practice_id", PRACTICE),
    )  # fmt: skip

    def row(self, practice: ServicePractice, first_position: int, last_event: Event) -> Row:
        return {
            "practice_id": str(practice.id), "tenant_id": practice.tenant_id,
            "service_id": practice.service_id, "version": practice.version,
            "document": document_text({"promptLadder": list(practice.prompt_ladder)}),
            "updated_at": practice.modified_on,
        }  # fmt: skip


class ProviderPolicies(RecordTable):
    name = "provider_policies"
    version = 3  # 2: the provider's own techniques; 3: governance settings
    applies_alone = True  # a change of governance settings counts a provider's tallies afresh
    aggregate = ProviderPolicy
    key = "policy_id"
    states = "provider_policy_states"
    state_columns = ("policy_id", "tenant_id", "document", "version", "updated_at")
    tables = (
        Table("provider_policies", f"{POLICY}, aggregate_state {{blob}} NOT NULL",
              primary_key="policy_id"),
        states_table("provider_policy_states", "policy_id", POLICY),
    )  # fmt: skip

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        super().apply(tx, tables, batch)
        if tables[self.name] == self.name:  # (a rebuild's are counted once swapped in)
            # (imported here: the tallies read the measures, which read these settings)
            from projections.tallies import settings_changed

            tenants = {event.envelope.tenant_id for _, event in batch}  # type: ignore[attr-defined]
            for tenant in sorted(tenants):
                settings_changed(tx, tenant)

    def row(self, policy: ProviderPolicy, first_position: int, last_event: Event) -> Row:
        document = {"restrictionReviewDays": policy.restriction_review_days,
                    "techniques": dict(policy.techniques),
                    "staticPlanMonths": policy.static_plan_months,
                    "doingFor": list(policy.doing_for),
                    "supportingWith": list(policy.supporting_with)}  # fmt: skip
        return {"policy_id": str(policy.id), "tenant_id": policy.tenant_id,
                "document": document_text(document), "version": policy.version,
                "updated_at": policy.modified_on}  # fmt: skip


def provider_techniques(tx: Transaction, tenant_id: str, moment: Moment) -> dict[str, str]:
    """The provider's own techniques at the moment, as recorded then: what each is, by key."""
    row = state_at(tx, "provider_policy_states", "tenant_id", tenant_id, moment)  # one each
    return dict(json.loads(row["document"]).get("techniques", {})) if row else {}


def governance_settings(tx: Transaction, tenant_id: str, moment: Moment) -> Row:
    """What the provider's governance views read at the moment, as recorded then (the defaults
    before it set them)."""
    row = state_at(tx, "provider_policy_states", "tenant_id", tenant_id, moment)
    document = json.loads(row["document"]) if row else {}
    return {
        "static_plan_months": document.get("staticPlanMonths", DEFAULT_STATIC_PLAN_MONTHS),
        "doing_for": tuple(document.get("doingFor", DEFAULT_DOING_FOR)),
        "supporting_with": tuple(document.get("supportingWith", DEFAULT_SUPPORTING_WITH)),
    }
