"""The FHIR resource types served, each declared once: who may read it, which read models
answer it, how a person's are found (page by page), and which kind of record each is a version
of (for reads by id, `_history`, and Provenance targets)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.resource import Resource

from api.access import GOVERNANCE, readers_of
from api.common import LATEST_TIME
from api.fhir import resources as build
from domain.catalogue import DECLARED
from domain.envelope import EARLIEST_EFFECTIVE_AT, Role
from domain.errors import RulesViolated, Violation
from domain.evidence_note import EvidenceNote
from domain.person import Person
from domain.restriction import Restriction
from domain.risk_decision import RiskDecision
from domain.support_plan import SupportPlan
from infra.access_log import access_page
from projections.base import Row, Transaction
from projections.chronology import Chronology, chronology_page, instant
from projections.evidence_notes import EvidenceNotes, note_at, notes_of_person
from projections.people import get_person
from projections.restrictions import Restrictions, restrictions_of
from projections.risk_decisions import RiskDecisions, decisions_of
from projections.states import Moment
from projections.support_plans import SupportPlans, get_plan


@dataclass(frozen=True)
class Lookup:
    """What a search reads with: the transaction, the moment asked about, the caller's
    provider, and the plans read model (a plan at a moment may replay a few events)."""

    tx: Transaction
    moment: Moment
    tenant_id: str
    plans: SupportPlans


@dataclass(frozen=True)
class Page:
    resources: Sequence[Resource]
    next: str | None = None  # the cursor of the page after, if there is one


Search = Callable[[Lookup, str, str | None, int], Page]


@dataclass(frozen=True)
class Served:
    name: str
    readers: frozenset[Role]
    read_models: tuple[str, ...]
    search: Search  # (lookup, person id, cursor, count): a person's, as they stood then
    record: type | None = None  # the kind of record each is: read by id, _history, Provenance
    history: bool = False  # whether each version can be read (`_history`)
    in_everything: bool = True  # part of Patient/$everything
    # The record a resource id names (a goal's is its plan's), and one resource by id.
    record_of: Callable[[str], str] = str
    by_id: Callable[[Lookup, str, str], Resource | None] | None = None

    def find(self, lookup: Lookup, person_id: str, resource_id: str) -> Resource | None:
        if self.by_id is not None:
            return self.by_id(lookup, person_id, resource_id)
        found = self.search(lookup, person_id, None, ALL).resources
        return next((resource for resource in found if resource.id == resource_id), None)


ALL = 1_000_000  # "every one": the kinds that are not paged are few per person


def cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def uncursor(given: str | None, size: int) -> list[Any] | None:
    """The values a cursor stands for; refused unless this server issued it for this list."""
    if given is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(given.encode()))
        if isinstance(values, list) and len(values) == size:
            return values
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    violation = Violation("input.cursor.invalid", "_cursor", "this cursor was not issued by "
                          "this search: follow the Bundle's next link")  # fmt: skip
    raise RulesViolated([violation])


def _patients(lookup: Lookup, person_id: str, _: str | None, __: int) -> Page:
    row = get_person(lookup.tx, person_id, lookup.moment)
    return Page([build.patient(row)] if row else [])


def _plan(lookup: Lookup, person_id: str) -> Row | None:
    return get_plan(lookup.tx, lookup.plans, person_id, lookup.moment)


def _care_plans(lookup: Lookup, person_id: str, _: str | None, __: int) -> Page:
    row = _plan(lookup, person_id)
    return Page([build.care_plan(row)] if row else [])


def _goals(lookup: Lookup, person_id: str, _: str | None, __: int) -> Page:
    row = _plan(lookup, person_id)
    return Page(list(build.goals(row)) if row else [])


def _observations(lookup: Lookup, person_id: str, after: str | None, count: int) -> Page:
    start = uncursor(after, 2)
    after_note = (instant(start[0]), str(start[1])) if start else None
    rows = notes_of_person(lookup.tx, person_id, lookup.moment, after_note, count)
    plan_id = str(SupportPlan.create_id(person_id))
    shown = [build.observation(row, plan_id) for row in rows[:count]]
    last = rows[count - 1] if len(rows) > count else None
    return Page(shown, cursor(instant(last["effective_at"]).isoformat(), last["note_id"])
                if last else None)  # fmt: skip


def _observation(lookup: Lookup, person_id: str, note_id: str) -> Resource | None:
    row = note_at(lookup.tx, note_id, lookup.moment)
    if row is None or row["person_id"] != person_id:
        return None
    return build.observation(row, str(SupportPlan.create_id(person_id)))


def _risk_assessments(lookup: Lookup, person_id: str, _: str | None, __: int) -> Page:
    rows = decisions_of(lookup.tx, person_id, lookup.moment)
    return Page([build.risk_assessment(row) for row in rows])


def _flags(lookup: Lookup, person_id: str, _: str | None, __: int) -> Page:
    rows = restrictions_of(lookup.tx, person_id, None, lookup.moment)
    return Page([build.flag(row) for row in rows])


def _provenances(lookup: Lookup, person_id: str, after: str | None, count: int) -> Page:
    """Every version of every record about the person, in order of when it took effect."""
    start = uncursor(after, 2)
    rows = chronology_page(
        lookup.tx, person_id, effective_from=None, effective_to=lookup.moment.as_of,
        known_at=lookup.moment.as_known_at, record_types=None,
        after=(instant(start[0]), int(start[1])) if start else None, first=count,
    )  # fmt: skip
    shown = [build.provenance(row, target(row)) for row in rows[:count]]
    last = rows[count - 1] if len(rows) > count else None
    return Page(shown, cursor(instant(last["effective_at"]).isoformat(), last["position"])
                if last else None)  # fmt: skip


def _audit_events(lookup: Lookup, person_id: str, after: str | None, count: int) -> Page:
    """Every read of the person's records, and every refused one, oldest first."""
    start = uncursor(after, 1)
    rows = access_page(lookup.tx, lookup.tenant_id, person_id, EARLIEST_EFFECTIVE_AT,
                       lookup.moment.as_known_at, int(start[0]) if start else 0, count)  # fmt: skip
    last = rows[count - 1] if len(rows) > count else None
    return Page([build.audit_event(row) for row in rows[:count]],
                cursor(last["entry_id"]) if last else None)  # fmt: skip


def _goal_plan(goal_id: str) -> str:
    return goal_id.split(".", 1)[0]


PLAN = (SupportPlans.name,)
SERVED: tuple[Served, ...] = (
    Served("Patient", readers_of(Person), (), _patients, record=Person, history=True),
    Served("CarePlan", readers_of(SupportPlan), PLAN, _care_plans, record=SupportPlan,
           history=True),
    Served("Goal", readers_of(SupportPlan), PLAN, _goals, record=SupportPlan,
           record_of=_goal_plan),
    Served("Observation", readers_of(SupportPlan, EvidenceNote), (EvidenceNotes.name,),
           _observations, record=EvidenceNote, history=True, by_id=_observation),
    Served("RiskAssessment", readers_of(RiskDecision), (RiskDecisions.name,),
           _risk_assessments, record=RiskDecision, history=True),
    Served("Flag", readers_of(Restriction), (Restrictions.name,), _flags, record=Restriction,
           history=True),
    # Whoever reads every version reads every kind of record about a person.
    Served("Provenance", readers_of(*(k.aggregate for k in DECLARED if k.person is not None)),
           (Chronology.name,), _provenances, in_everything=False),
    Served("AuditEvent", GOVERNANCE, (), _audit_events, in_everything=False),
)  # fmt: skip
BY_NAME = {served.name: served for served in SERVED}
# The resource type each kind of record is served as (the first declared for it).
AS_RESOURCE = {
    kind.name: served
    for kind in DECLARED
    for served in reversed(SERVED)
    if served.record is kind.aggregate
}


def target(row: Row) -> dict[str, Any]:
    """What a version in the chronology is a version of: the resource's version, or for a
    record served as no resource, the record by its id."""
    served = AS_RESOURCE.get(row["record_type"])
    if served is not None and served.history:
        return {"reference": f"{served.name}/{row['record_id']}/_history/{row['version']}"}
    return {"identifier": {"system": f"{build.RECORD}:{row['record_type']}",
                           "value": row["record_id"]}}  # fmt: skip


def version_moment(recorded_at: Any) -> Moment:
    """The moment a version describes: the record as it stood once that version was recorded,
    with every change recorded by then in force (a change may take effect in the future)."""
    return Moment(LATEST_TIME, instant(recorded_at))
