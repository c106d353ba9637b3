"""The marks governance counts (projections.marks) of any record at any (asOf, asKnownAt) are,
by definition, those of the brute-force replay: what the record as it then stood carries, and
what happened in each event known by asKnownAt (and not known to be entered in error by then)
taking effect by asOf. The same harness as every record's state (test_in_force), driven by the
read models that keep marks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.timeline import apply_in_order, effective_at, in_force_from, standing, state_at
from infra.bootstrap import Runtime
from projections.folding import RecordTable
from projections.marks import Mark, keyed
from projections.states import Moment, known_at
from tests.integration.test_in_force import KINDS, model_of, probed_moments, written_history


def _marked_kinds(runtime_models: list[Any]) -> list[str]:
    return sorted(m.aggregate.__name__ for m in runtime_models
                  if isinstance(m, RecordTable) and m.marks)  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_any_record_carries_at_any_moment_the_marks_of_its_replay(
    runtime: Runtime, kind: str, data: st.DataObject
) -> None:
    model = model_of(runtime, kind)
    if not model.marks:
        return  # a kind governance counts nothing of
    record_id, events = written_history(runtime, kind, data)
    for moment in probed_moments(events, data):
        held, happened = _stored(runtime, model, record_id, moment)
        record = state_at(events, moment.as_of, moment.as_known_at)
        assert held == _held(keyed(model.marks_of(record)) if record else {}), (kind, moment)
        assert happened == _happened(model, events, moment), (kind, moment)


def test_the_harness_covers_every_kind_that_keeps_marks(runtime: Runtime) -> None:
    assert set(_marked_kinds(runtime.projector.models)) >= {
        "Person", "SupportPlan", "Restriction", "RiskDecision", "Incident", "StaffMember",
        "EvidenceNote",
    }  # fmt: skip


def _stored(runtime: Runtime, model: RecordTable, record_id: str,
            moment: Moment) -> tuple[Counter[Any], Counter[Any]]:  # fmt: skip
    with runtime.store.transaction() as tx:
        rows = tx.fetchall(
            f"SELECT * FROM {model.marks} WHERE record_id = %(id)s AND {known_at()} "
            "AND effective_from <= %(as_of)s",
            {"id": record_id, "as_of": moment.as_of, "known_at": moment.as_known_at},
        )
    held: Counter[Any] = Counter()
    happened: Counter[Any] = Counter()
    for row in rows:
        start, end = _instant(row["effective_from"]), row["effective_to"]
        mark = (row["measure"], row["item_key"], row["on_date"], row["detail"],
                row["service_id"], row["team_id"])  # fmt: skip
        if end is not None and _instant(end) == start:
            happened[(*mark, start)] += 1
        elif end is None or _instant(end) > moment.as_of:
            held[mark] += 1
    return held, happened


def _held(marks: dict[Any, Mark]) -> Counter[Any]:
    return Counter(_row(mark) for mark in marks.values())


def _happened(model: RecordTable, events: list[Any], moment: Moment) -> Counter[Any]:
    """Replays what was known, in effective order, collecting each event's marks."""
    known = standing(event for event in events if event.timestamp <= moment.as_known_at)
    found: Counter[Any] = Counter()
    if not known or min(e.originator_version for e in known) != 1:
        return found
    began = effective_at(min(known, key=lambda event: event.originator_version))
    ordered = sorted(known, key=lambda e: (in_force_from(e, began), e.originator_version))
    record: Any = None
    for event in ordered:
        when = in_force_from(event, began)
        if when > moment.as_of:
            break
        points = model.points(record, event)
        record = apply_in_order(record, [event], began)
        if record is None:
            return found
        found.update((*_row(point), when) for point in points)
    return found


def _row(mark: Mark) -> tuple[Any, ...]:
    return (mark.measure, mark.item, mark.on.isoformat() if mark.on else None, mark.detail,
            mark.service_id, mark.team_id)  # fmt: skip


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value).astimezone(UTC)
