"""What is in force: a record's state at an effective time, as it was known at a recorded time.

DOMAIN: every event has two times. It was *recorded* when it was stored (the event's
timestamp), and it is *effective* when the fact happened or took effect (the envelope's
`effective_at`; a late entry is recorded after it took effect). A record's state at
(asOf = E, asKnownAt = K) is the replay, in order of effective time and then of recording, of
its events recorded at or before K and effective at or before E. The current state is
(now, now). So a late entry fills in the past: it never overrides a fact that took effect after
it. Commands are decided on the current state; a replay applies events as they were recorded
and never re-checks rules.

No change can take effect before its record began (a rule on every command); events stored
before that rule existed are taken to be effective when their record began.

A fact marked entered in error (domain.record) is left out of every replay that knows of the
correction; the correction itself changes nothing but the record's version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from eventsourcing.domain import Aggregate, CanInitAggregate, DomainEvent, Snapshot

from domain.envelope import Envelope
from domain.errors import Rules


class InForce:
    """What a record keeps about its own times (set by `replay`, so it is in snapshots too)."""

    # When the record began (its first event took effect), and the latest effective time it
    # has folded in; None in a record from an older snapshot, which is then replayed in full.
    began_at: datetime | None = None
    latest_effective_at: datetime | None = None

    def is_late(self, envelope: Envelope) -> bool:
        """Whether a change takes effect before one already recorded: a late entry. What it
        replaced is then known only against the record as it stood at that time, so facts
        that name a direction (hours *reduced*) or a former value are recorded plainly (hours
        *set*), and the history describes them against what was in force then."""
        latest = self.latest_effective_at
        return latest is not None and envelope.effective_at < latest

    def check_began(self, rules: Rules, envelope: Envelope) -> None:
        began = self.began_at
        rules.check(
            began is None or envelope.effective_at >= began,
            "record.effective_at.before_start",
            "effectiveAt",
            f"this record began at {began.isoformat() if began else ''}: "
            "a change cannot take effect before it",
        )


class OutOfOrder(Exception):
    """Events after a snapshot take effect before what it holds: replay them all."""


def effective_at(event: Any) -> datetime:
    return cast(datetime, event.envelope.effective_at)


def is_correction(event: Any) -> bool:
    return hasattr(event, "voided_version")


def voided_versions(events: Iterable[Any]) -> set[int]:
    """The versions of a record that these events (its corrections) mark as entered in error."""
    return {event.voided_version for event in events if is_correction(event)}


def standing(events: Iterable[Any]) -> list[Any]:
    """The events, but for those marked as entered in error by a correction among them."""
    events = list(events)
    voided = voided_versions(events)
    return [e for e in events if e.originator_version not in voided] if voided else events


def replay(initial: Aggregate | None, events: Iterable[Any]) -> Any:
    """A record folded from its events in order of effective time, then of version.

    Usable as the library's projector function: `events` may start with a snapshot, whose
    state is then the starting point; if a later event takes effect before what the snapshot
    already holds, OutOfOrder is raised so the caller can replay every event instead.
    """
    pending = list(events)
    record: Any = initial
    if pending and isinstance(pending[0], Snapshot):
        record = pending.pop(0).mutate(None)
    if record is not None and any(is_correction(event) for event in pending):
        raise OutOfOrder  # it may void a fact the starting point already holds
    pending = standing(pending)
    if not pending:
        return record
    if record is None:
        began = effective_at(min(pending, key=lambda event: event.originator_version))
    elif record.began_at is None or record.latest_effective_at is None:
        raise OutOfOrder
    else:
        began = record.began_at
    ordered = sorted(
        pending, key=lambda event: (in_force_from(event, began), event.originator_version)
    )
    if record is not None and in_force_from(ordered[0], began) < record.latest_effective_at:
        raise OutOfOrder
    return apply_in_order(record, ordered, began)


def apply_in_order(record: Any, ordered: Sequence[Any], began: datetime) -> Any:
    """Applies events already in effective order; the record's version and modified time stay
    those of its latest recorded event, so concurrency checks are unaffected by the order."""
    version = record.version if record is not None else 0
    modified_on = record.modified_on if record is not None else None
    latest = record.latest_effective_at if record is not None else None
    for event in ordered:
        if record is None:
            if not isinstance(event, CanInitAggregate):
                continue  # the record's first fact was entered in error: it never began
            record = event.mutate(None)
        else:
            event.apply(record)
        if event.originator_version > version:
            version, modified_on = event.originator_version, event.timestamp
        moment = in_force_from(event, began)
        latest = moment if latest is None or moment > latest else latest
    if record is not None:
        record.version, record.modified_on = version, modified_on
        record.began_at, record.latest_effective_at = began, latest
    return record


def in_force_from(event: DomainEvent, began: datetime) -> datetime:
    """When an event takes effect in a replay: its effective time, never before its record
    began."""
    moment = effective_at(event)
    return moment if moment >= began else began


def state_at(events: Iterable[Any], as_of: datetime, as_known_at: datetime) -> Any:
    """The definition, by brute force: filter the events, then replay them."""
    known = standing(event for event in events if event.timestamp <= as_known_at)
    if not known:
        return None
    first = min(known, key=lambda event: event.originator_version)
    if first.originator_version != 1:
        return None
    began = effective_at(first)
    in_force = [event for event in known if in_force_from(event, began) <= as_of]
    if first not in in_force:
        return None
    return replay(None, in_force)
