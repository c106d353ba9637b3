"""One reader per process follows the log for every live read model.

Each new stretch of the log is read and decoded once. A read model that handles none of its
events is moved past it there and then, without waking. Those that handle some and stand where
the stretch starts apply it there and then, together, in one transaction: while writes arrive
one at a time, a commit for each read model was most of what a write cost to keep them. A read
model left out of that (it applies alone, another runner holds it, or it failed together with
the others) is woken, and takes the stretch from memory on its own. One behind what memory
keeps (it was parked, or is slow) catches up on its own, reading only its topics, as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.care_records import CareRecords, Undecodable
from projections.base import Batch, Event

if TYPE_CHECKING:
    from infra.projector import Lane

# Stretches kept in memory, in batches: enough for a read model a few batches behind the
# reader to take them from memory rather than read them again.
KEPT_BATCHES = 4


@dataclass(frozen=True)
class Stretch:
    """The log's events after one position, up to and including another."""

    after: int
    end: int
    events: Batch


class RecentLog:
    """The stretches read last, in order and without gaps, shared by the read models'
    threads."""

    def __init__(self, most_events: int) -> None:
        self._most = most_events
        self._stretches: deque[Stretch] = deque()
        self._lock = threading.Lock()

    @property
    def end(self) -> int | None:
        with self._lock:
            return self._stretches[-1].end if self._stretches else None

    def add(self, stretch: Stretch) -> None:
        with self._lock:
            if self._stretches and self._stretches[-1].end != stretch.after:
                self._stretches.clear()  # a gap (an event skipped): only what follows it
            self._stretches.append(stretch)
            kept = sum(len(s.events) for s in self._stretches)
            while len(self._stretches) > 1 and kept - len(self._stretches[0].events) >= self._most:
                kept -= len(self._stretches.popleft().events)

    def take(self, after: int, limit: int) -> tuple[Batch, int] | None:
        """Up to `limit` events after a position, and the position read up to; None when
        memory does not hold the log from there."""
        with self._lock:
            stretches = [s for s in self._stretches if s.end > after]
            if not stretches or stretches[0].after > after:
                return None
            events: list[tuple[int, Event]] = []
            for stretch in stretches:
                events.extend(item for item in stretch.events if item[0] > after)
                if len(events) >= limit:
                    return events[:limit], events[limit - 1][0]
            return events, stretches[-1].end


class LogReader:
    """Reads what was added to the log since it last looked, and hands it to the lanes."""

    def __init__(self, records: CareRecords, batch_size: int) -> None:
        self.records = records
        self.batch_size = batch_size
        self.recent = RecentLog(batch_size * KEPT_BATCHES)
        self.read_to = 0  # lanes following live go this far; the reader wakes them again after
        self._after: int | None = None  # where the next read starts

    def read_new(
        self,
        positions: Callable[[bool], Mapping[Lane, int]],
        unapplied: Callable[[Lane, Batch, int], Batch],
        pass_lanes: Callable[[Iterable[Lane], int], None],
        apply_together: Callable[[Sequence[Lane], Stretch], Sequence[Lane]],
        wake: Callable[[Lane], None],
    ) -> None:
        """Reads to the log's end a batch at a time. For each stretch: lanes that handle none
        of it are passed to its end at once; lanes that handle some and stand at its start
        have it applied together (`apply_together` returns those it left out); those left
        out, and lanes behind it, are woken. `positions(look)`: the lanes that may run, and how
        far each has got (`look`: read the stored statuses first; else as last read, with the
        moves made since)."""
        last = self.records.last_position()
        lanes = positions(True)
        if self._after is None:
            self._after = min(lanes.values(), default=last)
        if self._after > last:
            self._after = last  # the log was started afresh (tests): follow it from its end
        while self._after < last:
            after = self._after
            try:
                events = self.records.read_log(after, self.batch_size, stop=last)
                end = events[-1][0] if len(events) == self.batch_size else last
                self._after = end
            except Undecodable as poison:
                # The lanes it concerns read it themselves and are parked or go past it;
                # the reader skips it.
                events, end = poison.before, poison.position - 1
                self._after = poison.position
            self.recent.add(Stretch(after, end, events))
            self.read_to = max(self.read_to, self._after)
            self._hand(Stretch(after, end, events), positions(False), unapplied, pass_lanes,
                       apply_together, wake)  # fmt: skip
        self.read_to = max(self.read_to, last)
        for lane, position in positions(False).items():
            if position < self.read_to:
                wake(lane)  # released from parking, or failed and retrying

    @staticmethod
    def _hand(
        stretch: Stretch,
        lanes: Mapping[Lane, int],
        unapplied: Callable[[Lane, Batch, int], Batch],
        pass_lanes: Callable[[Iterable[Lane], int], None],
        apply_together: Callable[[Sequence[Lane], Stretch], Sequence[Lane]],
        wake: Callable[[Lane], None],
    ) -> None:
        passing, in_step, behind = [], [], []
        for lane, position in lanes.items():
            if position >= stretch.end:
                continue
            if position < stretch.after:
                behind.append(lane)
            elif unapplied(lane, stretch.events, position):
                in_step.append(lane)
            else:
                passing.append(lane)
        if passing:
            pass_lanes(passing, stretch.end)
        if in_step:
            behind.extend(apply_together(in_step, stretch))
        for lane in behind:
            wake(lane)
