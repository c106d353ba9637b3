"""Reading one record as it stood at a moment (projections.folding): the kept state before the
moment, and the few events since then replayed from the event store (those known by then to be
entered in error left out)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.timeline import apply_in_order
from projections.base import Event, Row, Transaction
from projections.codec import AggregateCodec
from projections.states import STATE_TIMES, Moment, parameters, state_at


class ReadAtMoment:
    """The read at a moment of a read model keeping states (see RecordTable)."""

    codec: AggregateCodec
    key: ClassVar[str]
    states: ClassVar[str]
    timeline: ClassVar[str | None]

    def at(self, tx: Transaction, record_id: str, moment: Moment) -> Row | None:
        """The record's state at a moment: the kept state before it, and any events since
        then replayed (fewer than about `checkpoint_every`)."""
        if self.timeline is None:
            return state_at(tx, self.states, self.key, record_id, moment)
        # Nothing took effect after the latest effective time known then: start looking there,
        # not among the states recorded since (as many as the history is long).
        known = tx.fetchone(
            f"SELECT latest_effective_at FROM {self.timeline} WHERE record_id = %(id)s "
            "AND recorded_at <= %(known_at)s ORDER BY recorded_at DESC, version DESC LIMIT 1",
            {"id": record_id, **parameters(moment)},
        )
        if known is None:
            return None
        latest = known["latest_effective_at"]
        if not isinstance(latest, datetime):
            latest = datetime.fromisoformat(latest)
        moment = replace(moment, as_of=min(moment.as_of, latest))
        state = state_at(tx, self.states, self.key, record_id, moment)
        if state is None:
            return None
        later = tx.fetchall(
            f"SELECT version FROM {self.timeline} WHERE record_id = %(id)s "
            "AND effective_from > %(since)s AND effective_from <= %(as_of)s "
            "AND recorded_at <= %(known_at)s "
            "AND (voided_at IS NULL OR voided_at > %(known_at)s) ORDER BY effective_from, version",
            {"id": record_id, "since": state["effective_from"], **parameters(moment)},
        )
        if not later:
            return state
        record: Any = self.codec.decode(record_id, state["version"], state["aggregate_state"])
        events = self._events(record_id, [row["version"] for row in later])
        record = apply_in_order(record, events, record.began_at)
        row = self.row(record, 0, events[-1])  # only what a read needs: not the state's bytes
        return row | {time: state[time] for time in STATE_TIMES}

    def _events(self, record_id: str, versions: list[int]) -> list[Any]:
        """These events of a record, from the event store, in the order given."""
        # Fetched run by run of consecutive versions: a late entry's version may be far from
        # those of the events around it in effective time.
        wanted = sorted(versions)
        by_version: dict[int, Any] = {}
        start = 0
        for n in range(1, len(wanted) + 1):
            if n == len(wanted) or wanted[n] != wanted[n - 1] + 1:
                found = self.codec.history(UUID(record_id), wanted[n - 1], wanted[start] - 1)
                by_version.update((event.originator_version, event) for event in found)
                start = n
        return [by_version[version] for version in versions]

    def row(self, record: Any, first_position: int, last_event: Event) -> Row:
        raise NotImplementedError
