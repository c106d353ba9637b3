"""risk_decisions: each positive risk-taking decision as it stands, and every state it has been
in."""

from __future__ import annotations

from typing import Any

from domain.risk_decision import AGREED, RiskDecision
from projections.base import Event, Index, Row, Table, Transaction
from projections.event_records import document_text, jsonable
from projections.folding import RecordTable
from projections.marks import LATE, ON_TIME, Mark, marks_table, utc_day
from projections.states import Moment, latest_states, parameters, states_table

COLUMNS = """risk_decision_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    activity TEXT NOT NULL,
    status TEXT NOT NULL,
    document TEXT NOT NULL,
    proposed_at {timestamp} NOT NULL,
    version INTEGER NOT NULL,
    updated_at {timestamp} NOT NULL"""


class RiskDecisions(RecordTable):
    name = "risk_decisions"
    version = 3
    aggregate = RiskDecision
    key = "risk_decision_id"
    states = "risk_decision_states"
    state_columns = ("risk_decision_id", "person_id", "tenant_id", "activity", "status",
                     "document", "proposed_at", "version", "updated_at")  # fmt: skip
    marks = "risk_decision_marks"
    tables = (
        Table("risk_decisions", f"{COLUMNS}, aggregate_state {{blob}} NOT NULL",
              primary_key="risk_decision_id", indexes=(Index("by_person", "person_id"),)),
        states_table("risk_decision_states", "risk_decision_id", COLUMNS,
                     Index("by_person", "person_id, effective_from")),
        marks_table("risk_decision_marks"),
    )  # fmt: skip

    def marks_of(self, decision: RiskDecision) -> list[Mark]:
        """An agreed decision's safeguards (its staff guidance should name them), and its
        review pending until its review-by date, then overdue."""
        if decision.status != AGREED:
            return []
        marks = [Mark("safeguard", safeguard.strip().casefold(), detail=safeguard.strip())
                 for safeguard in decision.parts.safeguards or [] if safeguard.strip()]  # fmt: skip
        if decision.parts.review_by is not None:
            marks.append(Mark("risk_review_pending", on=decision.parts.review_by,
                              detail=decision.activity))  # fmt: skip
        return marks

    def points(self, before: RiskDecision | None, event: Any) -> list[Mark]:
        if type(event).__name__ != "Reviewed" or before is None:
            return []
        due, held = before.parts.review_by, utc_day(event.envelope.effective_at)
        timely = ON_TIME if due is None or held <= due else LATE
        return [Mark("risk_review_held", str(event.originator_version), due, timely)]

    def row(self, decision: RiskDecision, first_position: int, last_event: Event) -> Row:
        return {
            "risk_decision_id": str(decision.id), "person_id": decision.person_id,
            "tenant_id": decision.tenant_id, "activity": decision.activity,
            "status": decision.status, "document": document_text(document(decision)),
            "proposed_at": decision.began_at or decision.created_on,
            "version": decision.version, "updated_at": decision.modified_on,
        }  # fmt: skip


def document(decision: RiskDecision) -> dict[str, Any]:
    return {
        "parts": jsonable(decision.parts),
        "restrictionIds": list(decision.restriction_ids),
        "agreedBy": decision.agreed_by,
        "agreedAt": jsonable(decision.agreed_at),
        "lastReviewOutcome": decision.last_review_outcome,
        "lastReviewedAt": jsonable(decision.last_reviewed_at),
    }


def decisions_of(tx: Transaction, person_id: str, moment: Moment) -> list[Row]:
    """A person's decisions as they stood at the moment, as recorded then."""
    if moment.now:  # the current rows, but for their encoded records
        source = f"(SELECT {', '.join(RiskDecisions.state_columns)} FROM risk_decisions)"
    else:
        source = f"({latest_states('risk_decision_states', 'risk_decision_id')})"
    return tx.fetchall(
        f"SELECT d.* FROM {source} d WHERE d.person_id = %(person)s "
        "ORDER BY d.proposed_at, d.risk_decision_id",
        {"person": person_id, **parameters(moment)},
    )
