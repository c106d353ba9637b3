"""Practice written without a current sign-off, read at any (asOf, asKnownAt), is by definition
what the stored events say: the writes recorded by asKnownAt and effective by asOf, on an outcome
relying on a technique, for which no sign-off recorded by asKnownAt covered the write's day. The
read model must agree with that brute-force reading for any history of notes, sign-offs (late
ones included) and corrections."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.corrections import MarkEnteredInError
from domain.envelope import Actor, CommandContext, Role
from domain.errors import DomainError
from domain.evidence_note import RecordEvidenceNote
from domain.staff import StaffMember, Technique
from domain.staff_commands import JoinStaff, SignOffCompetency
from domain.support_plan_commands import ReviseOutcome
from infra.bootstrap import Runtime
from projections.practice import unsigned_practice
from projections.states import Moment
from tests.integration.test_in_force import DAY, START, Clock, Provider, recording_at

WRITER = Actor("u-wyn", "Wyn Hale", Role.SUPPORT_WORKER)
LADDER = Technique.PROMPT_LADDER.value

# What happens after the outcome comes to rely on the prompt ladder: a note by the writer, a
# sign-off of the writer (refresher due so many days on), or the latest note marked in error;
# each effective so many days after START - 20 days, recorded so many seconds after the last.
Step = tuple[str, int, int, int]
STEPS = st.tuples(st.sampled_from(["note", "note", "sign_off", "void"]), st.integers(0, 15),
                  st.integers(1, 10), st.sampled_from([1, 3600, 172800]))  # fmt: skip


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_unsigned_practice_at_any_moment_is_what_the_events_say(
    runtime: Runtime, data: st.DataObject
) -> None:
    records, clock = runtime.records, Clock(START)
    steps: list[Step] = data.draw(st.lists(STEPS, min_size=1, max_size=10))
    probes = data.draw(st.lists(st.tuples(st.integers(-5, 20), st.floats(0, 1)), max_size=6))
    with recording_at(records, clock):
        provider = Provider(records, clock)
        admin = CommandContext(Actor("u-ada", "Ada", Role.TENANT_ADMIN), provider.tenant, "p",
                               effective_at=START - 90 * DAY)  # fmt: skip
        records.execute(admin, JoinStaff(WRITER.id, WRITER.name, WRITER.role, "svc-1"))
        person, outcome = provider.person_with_a_plan()
        provider.run(ReviseOutcome(person, outcome, technique="PROMPT_LADDER"), START - 30 * DAY)
        began, notes = START - 20 * DAY, []
        for kind, days, refresher, seconds in steps:
            clock.now += timedelta(seconds=seconds)
            at = min(began + days * DAY, clock.now)
            context = CommandContext(WRITER, provider.tenant, "p", effective_at=at)
            with suppress(DomainError):
                if kind == "note":
                    note = RecordEvidenceNote(person, outcome, "Chopped onions")
                    notes.append(records.execute(context, note).record_id)
                elif kind == "sign_off":
                    due = at.date() + timedelta(days=refresher)
                    sign_off = SignOffCompetency(WRITER.id, LADDER, "Observed at tea", due)
                    provider.run(sign_off, at)
                elif notes:
                    marked = MarkEnteredInError(f"{notes.pop()}/1")
                    records.execute(CommandContext(WRITER, provider.tenant, "p",
                                                   reason="Wrong person"), marked)  # fmt: skip
        runtime.projector.catch_up()

    log = [event for _, event in _log(runtime) if event.envelope.tenant_id == provider.tenant]
    recorded = [event.timestamp for event in log]
    for days, share in probes:
        moment = Moment(began + days * DAY, recorded[0] + (recorded[-1] - recorded[0]) * share)
        with runtime.store.transaction() as tx:
            found = unsigned_practice(tx, provider.tenant, "svc-1", moment)
        read = {(g["writer_id"], g["technique"]): g["records"] for g in found}
        assert read == _brute_force(log, provider.tenant, moment), moment


def _log(runtime: Runtime) -> list[tuple[int, Any]]:
    notifications = runtime.records.recorder.select_notifications(start=1, limit=100_000)
    mapper = runtime.records.mapper
    return [(n.id, mapper.to_domain_event(n)) for n in notifications]


def _brute_force(log: list[Any], tenant: str, moment: Moment) -> dict[tuple[str, str], int]:
    """Counts, per writer, the writes after the outcome came to rely on the ladder that no
    sign-off covered, as the events known at the moment say."""
    known = [e for e in log if e.timestamp <= moment.as_known_at
             and e.envelope.tenant_id == tenant]  # fmt: skip
    voided = {(str(e.originator_id), e.voided_version) for e in known
              if hasattr(e, "voided_version")}  # fmt: skip
    # In log order: from the revision on, the outcome relies on the ladder.
    relied = next(n for n, e in enumerate(known) if type(e).__name__ == "OutcomeRevised")
    sign_offs: dict[str, list[tuple[date, date]]] = {}
    for event in known:
        if type(event).__name__ == "CompetencySignedOff" and (
                str(event.originator_id), event.originator_version) not in voided:  # fmt: skip
            s = event.sign_off
            sign_offs.setdefault(str(event.originator_id), []).append(
                (s.signed_off_on, s.refresher_due))  # fmt: skip
    counts: dict[tuple[str, str], int] = {}
    for event in known[relied:]:
        actor, at = event.envelope.actor, event.envelope.effective_at
        writes = type(event).__name__ == "Recorded" or (
            type(event).__qualname__.startswith("SupportPlan.") and hasattr(event, "outcome_id")
        )
        if (not writes or at > moment.as_of
                or (str(event.originator_id), event.originator_version) in voided
                or hasattr(event, "voided_version")):  # fmt: skip
            continue
        staff = str(StaffMember.create_id(tenant, actor.id))
        day = at.date()
        if not any(on <= day <= due for on, due in sign_offs.get(staff, [])):
            counts[(actor.id, LADDER)] = counts.get((actor.id, LADDER), 0) + 1
    return counts


def test_the_brute_force_reading_sees_a_note_by_a_writer_never_signed_off() -> None:
    """The reference itself can fail: a note relying on the ladder, with no sign-off, counts."""

    class Envelope:
        tenant_id, effective_at = "t", datetime(2026, 1, 2, tzinfo=UTC)
        actor = WRITER

    class OutcomeRevised:
        timestamp, envelope, originator_id, originator_version = (
            datetime(2026, 1, 1, tzinfo=UTC), Envelope, UUID(int=1), 1)  # fmt: skip

    class Recorded:
        timestamp, envelope, originator_id, originator_version = (
            datetime(2026, 1, 3, tzinfo=UTC), Envelope, UUID(int=2), 1)  # fmt: skip

    moment = Moment(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert _brute_force([OutcomeRevised(), Recorded()], "t", moment) == {("u-wyn", LADDER): 1}
