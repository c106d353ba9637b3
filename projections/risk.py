"""risk_decisions: each positive risk-taking decision as it stands. And the alignment check:
per person, the plan's staff guidance, the restrictions in force and the safeguards of agreed
decisions, so that each restriction or safeguard the guidance does not mention is a finding
naming its record.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, ClassVar

from domain.restriction import Restriction, ReviewOutcome
from domain.risk_decision import AGREED, DRAFT, RiskDecision
from domain.support_plan import SupportPlan
from projections.base import Batch, Index, ReadModel, Row, Table, Tables, Transaction, handles

Decision: Any = RiskDecision
R: Any = Restriction
Plan: Any = SupportPlan


def _parts_json(parts: dict[str, Any]) -> str:
    return json.dumps({name: (value.isoformat() if hasattr(value, "isoformat") else value)
                       for name, value in parts.items()}, sort_keys=True)  # fmt: skip


class RiskDecisions(ReadModel):
    name = "risk_decisions"
    version = 1
    tables: ClassVar[tuple[Table, ...]] = (
        Table(
            "risk_decisions",
            """risk_decision_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            activity TEXT NOT NULL,
            status TEXT NOT NULL,
            parts TEXT NOT NULL,
            safeguards TEXT NOT NULL,
            review_by TEXT,
            restriction_ids TEXT NOT NULL,
            proposed_at {timestamp} NOT NULL,
            agreed_by TEXT,
            agreed_at {timestamp},
            last_review_outcome TEXT,
            last_reviewed_at {timestamp}""",
            primary_key="risk_decision_id",
            indexes=(Index("by_person", "person_id, proposed_at"),),
        ),
    )

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        for _position, event in batch:
            self.handler(event)(self, tx, tables, event)

    @handles(Decision.Proposed)
    def _proposed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        parts = asdict(event.parts)
        row = {"risk_decision_id": str(event.originator_id), "person_id": event.person_id,
               "tenant_id": event.envelope.tenant_id, "activity": event.activity,
               "status": DRAFT, "parts": _parts_json(parts),
               "safeguards": json.dumps(parts["safeguards"] or []),
               "review_by": _iso(parts["review_by"]), "restriction_ids": "[]",
               "proposed_at": event.envelope.effective_at}  # fmt: skip
        names, values = ", ".join(row), ", ".join(f"%({name})s" for name in row)
        tx.execute(f"INSERT INTO {tables['risk_decisions']} ({names}) VALUES ({values})", row)

    @handles(Decision.PartsRecorded)
    def _parts(self, tx: Transaction, tables: Tables, event: Any) -> None:
        table, decision_id = tables["risk_decisions"], str(event.originator_id)
        found = tx.fetchone(f"SELECT parts FROM {table} WHERE risk_decision_id = %(id)s",
                            {"id": decision_id})  # fmt: skip
        parts = {**json.loads(found["parts"] if found else "{}"),
                 **json.loads(_parts_json(event.parts))}  # fmt: skip
        tx.execute(
            f"UPDATE {table} SET parts = %(parts)s, safeguards = %(safeguards)s, "
            "review_by = %(review_by)s WHERE risk_decision_id = %(id)s",
            {"parts": json.dumps(parts, sort_keys=True),
             "safeguards": json.dumps(parts.get("safeguards") or []),
             "review_by": parts.get("review_by"), "id": decision_id},
        )  # fmt: skip

    @handles(Decision.Agreed)
    def _agreed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        tx.execute(
            f"UPDATE {tables['risk_decisions']} SET status = %(status)s, agreed_by = %(by)s, "
            "agreed_at = %(at)s, restriction_ids = %(ids)s WHERE risk_decision_id = %(id)s",
            {"status": AGREED, "by": event.envelope.actor.name,
             "at": event.envelope.effective_at, "ids": json.dumps(list(event.restriction_ids)),
             "id": str(event.originator_id)},
        )  # fmt: skip

    @handles(Decision.Reviewed)
    def _reviewed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        table, decision_id = tables["risk_decisions"], str(event.originator_id)
        found = tx.fetchone(f"SELECT parts FROM {table} WHERE risk_decision_id = %(id)s",
                            {"id": decision_id})  # fmt: skip
        parts = {
            **json.loads(found["parts"] if found else "{}"),
            "safeguards": list(event.safeguards),
            "review_by": _iso(event.next_review_by),
        }
        tx.execute(
            f"UPDATE {table} SET parts = %(parts)s, safeguards = %(safeguards)s, "
            "review_by = %(review_by)s, last_review_outcome = %(outcome)s, "
            "last_reviewed_at = %(at)s WHERE risk_decision_id = %(id)s",
            {"parts": json.dumps(parts, sort_keys=True),
             "safeguards": json.dumps(list(event.safeguards)), "review_by": parts["review_by"],
             "outcome": event.outcome, "at": event.envelope.effective_at, "id": decision_id},
        )  # fmt: skip


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class Alignment(ReadModel):
    """What the plan's staff guidance must reflect, per person; findings are worked out from
    these rows when asked, so they appear and clear with the guidance and the records."""

    name = "alignment"
    version = 1
    tables: ClassVar[tuple[Table, ...]] = (
        Table(
            "alignment_plans",
            "plan_id TEXT NOT NULL, person_id TEXT NOT NULL",
            primary_key="plan_id",
        ),
        Table(
            "alignment_guidance",
            """person_id TEXT NOT NULL,
            plan_id TEXT NOT NULL,
            guidance TEXT NOT NULL,
            effective_at {timestamp} NOT NULL""",
            primary_key="person_id",
        ),
        Table(
            "alignment_records",
            """record_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            texts TEXT NOT NULL,
            applies BOOLEAN NOT NULL""",
            primary_key="record_id",
            indexes=(Index("by_person", "person_id"),),
        ),
    )

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        for _position, event in batch:
            self.handler(event)(self, tx, tables, event)

    @handles(Plan.Drafted)
    def _drafted(self, tx: Transaction, tables: Tables, event: Any) -> None:
        tx.execute(
            f"INSERT INTO {tables['alignment_plans']} (plan_id, person_id) "
            "VALUES (%(plan)s, %(person)s)",
            {"plan": str(event.originator_id), "person": event.person_id},
        )

    @handles(Plan.StaffGuidanceWritten, Plan.StaffGuidanceRewritten)
    def _guidance(self, tx: Transaction, tables: Tables, event: Any) -> None:
        plan = tx.fetchone(
            f"SELECT person_id FROM {tables['alignment_plans']} WHERE plan_id = %(plan)s",
            {"plan": str(event.originator_id)},
        )
        if plan is None:
            return
        table, at = tables["alignment_guidance"], event.envelope.effective_at
        # A late entry (effective before the guidance now kept) does not replace it.
        tx.execute(
            f"INSERT INTO {table} (person_id, plan_id, guidance, effective_at) VALUES "
            "(%(person)s, %(plan)s, %(guidance)s, %(at)s) ON CONFLICT (person_id) DO UPDATE "
            f"SET guidance = excluded.guidance, effective_at = excluded.effective_at "
            f"WHERE {table}.effective_at <= excluded.effective_at",
            {"person": plan["person_id"], "plan": str(event.originator_id),
             "guidance": event.guidance, "at": at},
        )  # fmt: skip

    @handles(R.Imposed)
    def _imposed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        _keep(tx, tables, str(event.originator_id), event.person_id, "restriction",
              [event.terms.what], True)  # fmt: skip

    @handles(R.Reviewed)
    def _restriction_reviewed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        if event.outcome == ReviewOutcome.LIFTED:
            tx.execute(
                f"UPDATE {tables['alignment_records']} SET applies = %(no)s "
                "WHERE record_id = %(id)s",
                {"no": False, "id": str(event.originator_id)},
            )

    @handles(Decision.Proposed)
    def _proposed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        _keep(tx, tables, str(event.originator_id), event.person_id, "risk_decision",
              list(event.parts.safeguards or []), False)  # fmt: skip

    @handles(Decision.PartsRecorded)
    def _parts(self, tx: Transaction, tables: Tables, event: Any) -> None:
        if "safeguards" in event.parts:
            _texts(tx, tables, str(event.originator_id), event.parts["safeguards"], None)

    @handles(Decision.Agreed)
    def _agreed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        _texts(tx, tables, str(event.originator_id), None, True)

    @handles(Decision.Reviewed)
    def _decision_reviewed(self, tx: Transaction, tables: Tables, event: Any) -> None:
        _texts(tx, tables, str(event.originator_id), list(event.safeguards), None)


def _keep(tx: Transaction, tables: Tables, record_id: str, person_id: str, kind: str,
          texts: list[str], applies: bool) -> None:  # fmt: skip
    tx.execute(
        f"INSERT INTO {tables['alignment_records']} (record_id, person_id, kind, texts, "
        "applies) VALUES (%(id)s, %(person)s, %(kind)s, %(texts)s, %(applies)s)",
        {"id": record_id, "person": person_id, "kind": kind, "texts": json.dumps(texts),
         "applies": applies},
    )  # fmt: skip


def _texts(tx: Transaction, tables: Tables, record_id: str, texts: list[str] | None,
           applies: bool | None) -> None:  # fmt: skip
    sets = {"texts": json.dumps(texts) if texts is not None else None, "applies": applies}
    given = ", ".join(f"{name} = %({name})s" for name, value in sets.items() if value is not None)
    tx.execute(f"UPDATE {tables['alignment_records']} SET {given} WHERE record_id = %(id)s",
               {**sets, "id": record_id})  # fmt: skip


# -- queries ---------------------------------------------------------------------------------


def decisions_of(tx: Transaction, person_id: str) -> list[Row]:
    return tx.fetchall(
        "SELECT * FROM risk_decisions WHERE person_id = %(person)s "
        "ORDER BY proposed_at, risk_decision_id",
        {"person": person_id},
    )


def alignment_findings(tx: Transaction, person_id: str) -> tuple[Row | None, list[Row]]:
    """The person's staff guidance, and each restriction in force and each safeguard of an
    agreed decision that it does not contain (ignoring case)."""
    guidance = tx.fetchone(
        "SELECT * FROM alignment_guidance WHERE person_id = %(person)s", {"person": person_id}
    )
    records = tx.fetchall(
        "SELECT * FROM alignment_records WHERE person_id = %(person)s AND applies = %(yes)s "
        "ORDER BY kind, record_id",
        {"person": person_id, "yes": True},
    )
    text = (guidance["guidance"] if guidance else "").casefold()
    findings = [
        {"kind": row["kind"], "record_id": row["record_id"], "missing": missing}
        for row in records
        for missing in json.loads(row["texts"])
        if missing.strip() and missing.strip().casefold() not in text
    ]
    return (dict(guidance) if guidance else None), findings
