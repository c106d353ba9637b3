"""Whether a person's staff guidance reflects what it must, at any moment: every restriction in
force (its "what") and every safeguard of every agreed risk decision; each it does not contain
(ignoring case) is a finding naming the record. Worked out when asked, from the plan, the
restrictions and the decisions as each stood then, so findings appear and clear with them."""

from __future__ import annotations

import json
from typing import Any

from domain.restriction import IN_FORCE
from domain.risk_decision import AGREED
from projections.base import Row, Transaction
from projections.restrictions import restrictions_of
from projections.risk_decisions import decisions_of
from projections.states import Moment
from projections.support_plans import SupportPlans, get_plan

READ_MODELS = ("support_plans", "restrictions", "risk_decisions")


def alignment_findings(
    tx: Transaction, plans: SupportPlans, person_id: str, moment: Moment
) -> tuple[str | None, list[Row]]:
    """The person's staff guidance at the moment, and each text it should contain but does
    not: (kind, record id, the text)."""
    plan = get_plan(tx, plans, person_id, moment)
    guidance = json.loads(plan["document"])["staffGuidance"] if plan else None
    required: list[tuple[str, str, list[str]]] = [
        ("restriction", row["restriction_id"], [row["what"]])
        for row in restrictions_of(tx, person_id, IN_FORCE, moment)
    ]
    for row in decisions_of(tx, person_id, moment):
        if row["status"] == AGREED:
            safeguards: list[Any] = json.loads(row["document"])["parts"]["safeguards"] or []
            required.append(("risk_decision", row["risk_decision_id"], safeguards))
    text = (guidance or "").casefold()
    findings = [
        {"kind": kind, "record_id": record_id, "missing": missing}
        for kind, record_id, texts in sorted(required, key=lambda r: (r[0], r[1]))
        for missing in texts
        if missing.strip() and missing.strip().casefold() not in text
    ]
    return guidance, findings
