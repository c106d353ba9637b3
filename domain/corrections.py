"""Marking a recorded fact of any record as entered in error (domain.record).

DOMAIN: records are corrected, never edited. The author may mark their own fact within a day
of recording it; a manager may mark any fact at any time; either must say why. A correction is
refused when the record would not stand without the fact: the first fact of a record that has
later ones, a fact others followed from (mark those first), or one the rest of the record
cannot be replayed without.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import DomainEvent

from domain.commands import STAFF, Change, Command, Found, Key, NewIds, Records, Registration
from domain.envelope import Envelope, Role, event_id
from domain.errors import Forbidden, RecordNotFound, Rules, RulesViolated, Violation
from domain.record import DoesNotStand, Record, strictly
from domain.timeline import replay, voided_versions

AUTHOR_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class MarkEnteredInError(Command):
    """Mark one recorded fact of any record as entered in error, saying why (the reason is
    required): the author within 24 hours of recording it, a manager at any time. From then on
    the record reads as if the fact had never been recorded; read as known before, it still
    shows it. The fact is named as `<recordId>/<version>`, as causation ids name events. The
    correction takes effect when the fact did (an effective time sent with it is not used)."""

    event_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"event_id"})

    def record_and_version(self) -> tuple[UUID, int]:
        record, _, version = self.event_id.partition("/")
        try:
            return UUID(record), int(version)
        except ValueError:
            message = f"{self.event_id!r} does not name a fact: send <recordId>/<version>"
            raise RulesViolated([Violation("input.event_id.invalid", "eventId", message)]) from None

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"version": self.record_and_version()[1]}


def find_fact(records: Records, command: MarkEnteredInError) -> Found[Record]:
    record_id, _ = command.record_and_version()
    try:
        record = records.owned(Record, record_id, "eventId", f"no record with id {record_id}")
    except RecordNotFound:
        history = records.history(record_id)
        if history and history[0].envelope.tenant_id == records.tenant_id:  # type: ignore[attr-defined]
            _refuse_in_voided_record(history, command)
        raise
    history = records.history(record.id)
    extra = {"history": history, "now": records.now(),
             "creation_correctable": records.creation_correctable(record)}  # fmt: skip
    return Found(record, records.service_of(record), extra=extra)


def _refuse_in_voided_record(history: list[DomainEvent], command: MarkEnteredInError) -> None:
    """A fact of a record whose first fact was entered in error (so nothing of it stands)."""
    _, version = command.record_and_version()
    fact = next((e for e in history if e.originator_version == version), None)
    if fact is None:
        raise RecordNotFound("Record", command.event_id,
                             f"the record has no fact at version {version}")  # fmt: skip
    if isinstance(fact, Record.EnteredInError):
        rule, message = "correction.of_a_correction", "a correction cannot itself be marked"
    else:
        rule = "correction.already_entered_in_error"
        message = "the record's first fact was entered in error: nothing of it stands"
    raise RulesViolated([Violation(rule, "eventId", message)])


def mark_entered_in_error(
    record: Record,
    envelope: Envelope,
    version: int,
    history: list[DomainEvent],
    now: datetime,
    creation_correctable: bool,
) -> None:
    """Decides a correction of one of the record's facts, given its events as recorded."""
    by_version = {event.originator_version: event for event in history}
    fact = by_version.get(version)
    if fact is None:
        message = f"the record has no fact at version {version} (it is at {record.version})"
        raise RecordNotFound(type(record).__name__, event_id(record.id, version), message)
    _check_who(envelope, fact, now)
    voided = voided_versions(history)
    rules = Rules()
    rules.require_text(envelope.reason, "correction.reason_required", "reason",
                       "why the fact was entered in error")  # fmt: skip
    rules.check(not isinstance(fact, Record.EnteredInError), "correction.of_a_correction",
                "eventId", "a correction cannot itself be marked entered in error")  # fmt: skip
    rules.check(version not in voided, "correction.already_entered_in_error", "eventId",
                "this fact is already marked as entered in error")  # fmt: skip
    remaining = [e for e in history if e.originator_version not in voided | {version}]
    standing = [e for e in remaining if not isinstance(e, Record.EnteredInError)]
    if version == 1:
        rules.check(creation_correctable, "correction.creation_of_a_derived_record", "eventId",
                    "this record begins only once: record what is right as a new "
                    "fact")  # fmt: skip
        rules.check(not standing, "correction.creation_has_later_facts", "eventId",
                    f"{len(standing)} later fact(s) stand on this one: mark them "
                    "first")  # fmt: skip
    followers = [
        event_id(record.id, e.originator_version)
        for e in standing
        if e.envelope.causation_id == event_id(record.id, version)  # type: ignore[attr-defined]
    ]
    rules.check(not followers, "correction.followed_by", "eventId",
                f"these facts followed from it: mark them first: {followers}")  # fmt: skip
    if version != 1 and not rules.violations:
        _check_replays(rules, [e for e in history if e.originator_version not in voided],
                       remaining)  # fmt: skip
    rules.enforce()
    # It takes effect with the fact it corrects, every state from then on worked out again,
    # and follows from it (so a feed reader links the two without reading the payload).
    corrected = replace(envelope, effective_at=fact.envelope.effective_at,  # type: ignore[attr-defined]
                        causation_id=event_id(record.id, version))  # fmt: skip
    record.trigger_event(type(record).EnteredInError, envelope=corrected, voided_version=version,
                         voided_type=type(fact).__qualname__)  # fmt: skip


def _check_who(envelope: Envelope, fact: Any, now: datetime) -> None:
    actor = envelope.actor
    if actor.role is Role.MANAGER:
        return
    if fact.envelope.actor.id != actor.id:
        raise Forbidden(f"{actor.name} did not record this fact: a manager may mark it as "
                        "entered in error", "access.correction.not_author")  # fmt: skip
    if now - fact.timestamp > AUTHOR_WINDOW:
        raise Forbidden(f"this fact was recorded at {fact.timestamp.isoformat()}, more than 24 "
                        "hours ago: a manager may mark it as entered in error",
                        "access.correction.too_late")  # fmt: skip


def _check_replays(rules: Rules, before: list[DomainEvent], remaining: list[DomainEvent]) -> None:
    """The rest of the record must stand without the fact: replayed strictly, each later
    fact finds the record as it presumes (a stage under way, a decision agreed). A history
    that did not stand strictly before (kept under older rules) is held to less: it loads."""
    try:
        with strictly():
            replay(None, before)
        check: AbstractContextManager[None] = strictly()
    except DoesNotStand:
        check = nullcontext()
    try:
        with check:
            replay(None, remaining)
    except Exception as error:
        rules.check(False, "correction.leaves_record_invalid", "eventId",
                    "the rest of the record does not stand without this fact "
                    f"({type(error).__name__}: {error}): mark what depends on it "
                    "first")  # fmt: skip


COMMANDS: list[Registration] = [
    Change(
        MarkEnteredInError,
        STAFF,
        find_fact,
        mark_entered_in_error,
        adds=("history", "now", "creation_correctable"),
    ),
]
