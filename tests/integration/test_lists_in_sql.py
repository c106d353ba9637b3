"""Service-wide lists are cut to the page asked for by the database, not by the server after
reading them whole: a page is the same rows, in the same order, as the whole list has there,
now and at a past moment as recorded then; and reading it, no statement returns more rows than
the page asks for."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from api.slices.workforce_findings import findings_of
from domain.envelope import Actor, CommandContext, Role
from domain.evidence_note import RecordEvidenceNote
from domain.incident import HarmLevel, PracticeChangeState
from domain.incident_commands import AgreePracticeChange, MarkPracticeChange, ReportIncident
from domain.restriction import RestrictionBasis
from domain.restriction_commands import ImposeRestriction
from domain.staff import InductionPart
from domain.staff_commands import HoldSupervision, JoinStaff, RecordInduction
from domain.support_plan import SupportPlan
from domain.support_plan_commands import ReviseOutcome
from infra.bootstrap import Runtime
from infra.simulate import simulate
from infra.simulate.story import TENANT, staff_of
from infra.simulate.words import SERVICES
from projections.base import Params, Row, Transaction
from projections.incidents import incidents_of, open_practice_changes, open_practice_changes_of
from projections.plan_parts import due_reviews, repeat_reviews
from projections.practice import SHOWN_AT_MOST
from projections.restrictions import in_force
from projections.staff import follow_ups_not_honoured, workforce
from projections.states import Moment

SERVICE = SERVICES[0][0]
Listing = Callable[[Transaction, Moment, int | None, int], list[Any]]
LISTS: dict[str, Listing] = {
    "reviewSchedule": lambda tx, at, limit, offset: due_reviews(
        tx, TENANT, SERVICE, (at.as_of + timedelta(days=90)).date(), at, limit, offset
    ),
    "repeatReviews": lambda tx, at, limit, offset: repeat_reviews(
        tx, TENANT, SERVICE, at, limit, offset
    ),
    "restrictionsInForce": lambda tx, at, limit, offset: in_force(
        tx, TENANT, SERVICE, at, None, limit, offset
    ),
    "incidents": lambda tx, at, limit, offset: incidents_of(
        tx, TENANT, at, service_id=SERVICE, limit=limit, offset=offset
    ),
    "openPracticeChanges": lambda tx, at, limit, offset: open_practice_changes_of(
        tx, TENANT, SERVICE, at, limit, offset
    ),
    "workforceStatus": lambda tx, at, limit, offset: workforce(
        tx, TENANT, SERVICE, None, at, limit, offset
    ),
    "workforceStatus of a team": lambda tx, at, limit, offset: workforce(
        tx, TENANT, SERVICE, "team-a", at, limit, offset
    ),
    "workforceFindings": lambda tx, at, limit, offset: findings_of(
        tx, TENANT, SERVICE, at, limit, offset
    ),
}
FEEDS = [Actor(f"c-feed-{n}", f"Case system {n}", Role.INTEGRATION_CLIENT) for n in range(3)]
# Joined in the service, by team (None: no team), name and id: two of the same name, so the id
# decides; and with an induction follow-up agreed so many days ago, a supervision held so many
# days ago (None: none), and the follow-up's day counted from the induction's.
EXTRA_STAFF = [
    ("staff-x1", "Zoe Park", "team-b", 70, None),
    ("staff-x2", "Al Moss", "team-a", 60, None),
    ("staff-x3", "Al Moss", "team-a", 50, 55),
    ("staff-x4", "Cy Ng", None, 20, None),
    ("staff-x5", "Di Roe", "team-a", 10, None),
    ("staff-x6", "Eli Fox", "team-b", 45, 48),
    ("staff-x7", "Bo Lee", "team-a", 30, None),
]


@pytest.fixture
def simulated(runtime: Runtime) -> Runtime:
    """A simulated service, with incidents (the simulation reports none) and the practice
    changes agreed after them (some done), restrictions, every held plan review marked a repeat
    (so that list has rows to page), more staff in teams with follow-ups agreed at induction
    (some not honoured), and writes by integration clients."""
    people = simulate(runtime, people=10, months=6, seed=4, services=1).person_ids
    staff, now = staff_of(0), datetime.now(UTC)
    execute = runtime.records.execute

    def by(actor: Actor, at: datetime, granted: bool = False) -> CommandContext:
        return CommandContext(actor, TENANT, "lists", effective_at=at, writes_granted=granted)

    for n, person in enumerate(people[:6]):
        at = now - timedelta(days=100 - 10 * n)
        manager = by(staff.manager, at)
        incident = execute(manager, ReportIncident(
            person, "Fell in the kitchen", "Kitchen", "First aid", HarmLevel.LOW,
            [staff.workers[0].id])).record_id  # fmt: skip
        for days in (30 + 7 * n, 95 - 9 * n, 60):  # some past their review date, some not
            change = AgreePracticeChange(incident, "Check the floor", "Mo Khan",
                                         (at + timedelta(days=days)).date())  # fmt: skip
            done = execute(manager, change).part_id
        if n % 2:
            execute(by(staff.manager, at + timedelta(days=20)), MarkPracticeChange(
                incident, str(done), PracticeChangeState.DONE, "Floor checked daily"))  # fmt: skip
        execute(manager, ImposeRestriction(
            person, "Front door alarmed at night", "Left at 3am twice",
            RestrictionBasis.BEST_INTERESTS, "Nights only", ["A door sensor"], "Mo Khan",
            (at + timedelta(days=60)).date()))  # fmt: skip
        execute(by(FEEDS[n % 3], at, granted=True), ReportIncident(
            person, "Missed a visit", "Home", "Rang the family", HarmLevel.NONE,
            [staff.workers[1].id]))  # fmt: skip
    for staff_id, name, team, agreed, held in EXTRA_STAFF:
        joined = now - timedelta(days=120)
        execute(by(staff.manager, joined), JoinStaff(staff_id, name, Role.SUPPORT_WORKER,
                                                     SERVICE, team))  # fmt: skip
        execute(by(staff.senior, joined + timedelta(days=1)), RecordInduction(
            staff_id, InductionPart.SUPERVISION_FOLLOW_UP, "Agreed",
            (now - timedelta(days=agreed)).date()))  # fmt: skip
        if held is not None:
            execute(by(staff.senior, now - timedelta(days=held)), HoldSupervision(
                staff_id, "Asked first", "None", "Shops alone", ["Keep going"],
                (now + timedelta(days=30)).date()))  # fmt: skip
    runtime.projector.catch_up()
    _unsigned_practice(runtime, people[:3])
    runtime.projector.catch_up()
    with runtime.store.transaction(write=True) as tx:  # none repeats: mark some as if they did
        tx.execute("UPDATE plan_parts SET repeat_finding = 'decided nothing' "
                   "WHERE kind = 'plan' AND held_at IS NOT NULL")  # fmt: skip
    return runtime


def _unsigned_practice(runtime: Runtime, people: list[str]) -> None:
    """An outcome of each person comes to rely on a technique nobody is signed off in (the
    simulation names none), and both workers write notes on it: each writer's revisions and
    notes relying on each technique are a finding."""
    staff, techniques = staff_of(0), ["PROMPT_LADDER", "GRADED_EXPOSURE", "PROMPT_LADDER"]
    for person, technique in zip(people, techniques, strict=True):
        with runtime.store.transaction() as tx:
            found = tx.fetchone("SELECT MIN(outcome_id) AS outcome_id FROM practice_outcomes "
                                "WHERE plan_id = %(plan)s AND outcome_id <> ''",
                                {"plan": str(SupportPlan.create_id(person))})  # fmt: skip
        outcome = found["outcome_id"] if found else None
        assert outcome is not None, "every simulated plan has an outcome"
        revise = ReviseOutcome(person, outcome, technique=technique)
        runtime.records.execute(CommandContext(staff.senior, TENANT, "lists", reason="Agreed"),
                                revise)  # fmt: skip
        for worker in staff.workers:
            note = RecordEvidenceNote(person, outcome, "Chopped onions")
            runtime.records.execute(CommandContext(worker, TENANT, "lists"), note)


class Counted:
    """A transaction that notes how many rows each statement read returned, and which."""

    def __init__(self, tx: Transaction) -> None:
        self.tx, self.dialect = tx, tx.dialect
        self.reads: list[tuple[str, int]] = []

    def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        rows = self.tx.fetchall(sql, params)
        self.reads.append((sql, len(rows)))
        return rows

    def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        row = self.tx.fetchone(sql, params)
        self.reads.append((sql, int(row is not None)))
        return row

    def most_rows(self) -> int:
        """The most rows one read returned, the records behind each workforce finding apart
        (at most SHOWN_AT_MOST a finding, read for the findings of the page only)."""
        behind = [n for sql, n in self.reads if f"LIMIT {SHOWN_AT_MOST}" in sql]
        assert len(behind) <= 3, "records read for findings the page does not show"
        return max([n for sql, n in self.reads if f"LIMIT {SHOWN_AT_MOST}" not in sql], default=0)


@pytest.mark.parametrize("name", LISTS)
def test_each_page_is_the_whole_list_s_rows_at_its_place(simulated: Runtime, name: str) -> None:
    listing, now = LISTS[name], datetime.now(UTC)
    for at in (Moment.current(), Moment(now - timedelta(days=40), now)):
        with simulated.store.transaction() as tx:
            whole = listing(tx, at, None, 0)
            pages, most = [], 0
            for offset in range(0, len(whole) + 3, 2):
                counted = Counted(tx)
                pages.append(listing(counted, at, 3, offset))  # type: ignore[arg-type]
                most = max(most, counted.most_rows())

        assert len(whole) >= 4, f"{name}: the simulation gave the list too little to page"
        for n, page in enumerate(pages):
            assert page == whole[2 * n : 2 * n + 3], (name, at, n)
        assert most <= 3, f"{name}: a page read {most} rows of the database"


def test_open_practice_changes_are_those_the_incidents_documents_hold(simulated: Runtime) -> None:
    """The database finds in each incident's document what reading the documents finds."""
    now = datetime.now(UTC)
    for at in (Moment.current(), Moment(now - timedelta(days=40), now)):
        with simulated.store.transaction() as tx:
            found = open_practice_changes_of(tx, TENANT, SERVICE, at)
            read = open_practice_changes(incidents_of(tx, TENANT, at, service_id=SERVICE), at)

        assert [(r["incident_id"], c["changeId"]) for r, c in found] == [
            (r["incident_id"], c["changeId"]) for r, c in read]  # fmt: skip
        assert found == read
        past = [c for _, c in found if c["reviewBy"] < at.as_of.date().isoformat()]
        assert past and len(past) < len(found), "the changes should be both past and not"


def test_follow_ups_not_honoured_are_those_the_staff_documents_hold(simulated: Runtime) -> None:
    now = datetime.now(UTC)
    for at in (Moment.current(), Moment(now - timedelta(days=40), now)):
        with simulated.store.transaction() as tx:
            found = follow_ups_not_honoured(tx, TENANT, SERVICE, at)
            staff = workforce(tx, TENANT, SERVICE, None, at)

        assert [(r["staff_id"], r["follow_up_on"]) for r in found] == _missed(staff, at)
        assert found, "some follow-ups should be missed"


def _missed(staff: list[Row], at: Moment) -> list[tuple[str, str]]:
    """Follow-ups not honoured, read from each member of staff's document."""
    missed = []
    for row in staff:
        document = json.loads(row["document"])
        held = [date.fromisoformat(s["heldOn"]) for s in document["supervisions"]]
        for entry in document["induction"]:
            agreed = entry.get("followUpOn")
            if agreed is None or date.fromisoformat(agreed) >= at.as_of.date():
                continue
            since = date.fromisoformat(entry["on"])
            if not any(since <= day <= date.fromisoformat(agreed) for day in held):
                missed.append((row["staff_id"], agreed))
    return missed


def test_workforce_findings_run_from_one_kind_into_the_next(simulated: Runtime) -> None:
    """Findings of every kind, in turn: so their pages above start and end inside each kind and
    across from one to the next, and past a whole kind (counted, not read)."""
    with simulated.store.transaction() as tx:
        found = findings_of(tx, TENANT, SERVICE, Moment.current())

    kinds = [finding.kind.name for finding in found]
    in_turn = ["UNSIGNED_PRACTICE", "FOLLOW_UP_NOT_HONOURED", "WRITER_NOT_STAFF"]
    assert kinds == sorted(kinds, key=in_turn.index) and set(kinds) == set(in_turn)
