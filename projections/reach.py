"""Whose reach a record is in: the provider, and the service now supporting its person."""

from __future__ import annotations

from collections.abc import Collection

from projections.base import Row, Transaction

# The read models stream_scopes reads.
SCOPE_MODELS = (
    "people",
    "assessments",
    "support_plans",
    "progression",
    "restrictive_practice",
    "risk_decisions",
)


def person_scope(tx: Transaction, person_id: str) -> Row | None:
    """The provider and the service a person is now supported by: whose reach their records
    are in."""
    query = "SELECT tenant_id, service_id FROM people WHERE person_id = %(id)s"
    return tx.fetchone(query, {"id": person_id})


def stream_scopes(tx: Transaction, stream_ids: Collection[str]) -> dict[str, Row]:
    """For each record that is a person or one of their assessments, plans, evidence notes,
    restrictions or risk decisions, the provider and the service now supporting the person
    (records not projected yet are left out)."""
    if not stream_ids:
        return {}
    names = {f"s{n}": stream_id for n, stream_id in enumerate(sorted(stream_ids))}
    listed = ", ".join(f"%({name})s" for name in names)
    rows = tx.fetchall(
        f"""SELECT person_id AS stream_id, tenant_id, service_id FROM people
        WHERE person_id IN ({listed})
        UNION ALL SELECT a.assessment_id, p.tenant_id, p.service_id FROM assessments a
        JOIN people p ON p.person_id = a.person_id WHERE a.assessment_id IN ({listed})
        UNION ALL SELECT c.plan_id, p.tenant_id, p.service_id FROM current_plans c
        JOIN people p ON p.person_id = c.person_id WHERE c.plan_id IN ({listed})
        UNION ALL SELECT n.note_id, p.tenant_id, p.service_id FROM evidence_notes n
        JOIN people p ON p.person_id = n.person_id WHERE n.note_id IN ({listed})
        UNION ALL SELECT r.restriction_id, p.tenant_id, p.service_id FROM restrictions r
        JOIN people p ON p.person_id = r.person_id WHERE r.restriction_id IN ({listed})
        UNION ALL SELECT d.risk_decision_id, p.tenant_id, p.service_id FROM risk_decisions d
        JOIN people p ON p.person_id = d.person_id WHERE d.risk_decision_id IN ({listed})""",
        names,
    )
    return {row["stream_id"]: row for row in rows}
