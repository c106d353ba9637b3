"""Rebuilding read models without taking them away from readers.

Each read model is built afresh from the log into shadow tables while the live tables keep
serving (and keep being updated). When the shadow has caught up, one transaction applies the
last few events to it, drops the live tables and renames the shadow ones into their place:
readers see the old tables until that commit, and the new ones after it. A rebuild killed at
any point leaves the live tables as they were; the next rebuild clears its leftovers.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence

from infra.projector import Lane, Projector
from projections import tallies, tracking
from projections.base import ReadModel, Transaction
from projections.tallies import counted_afresh

BATCH_SIZE = 5_000  # larger than the live runner's: fewer writes of each long-lived record


def rebuild(
    projector: Projector,
    models: Sequence[ReadModel],
    progress: Callable[[int], None] | None = None,
) -> dict[str, str]:
    """Rebuilds the read models and swaps each in; returns those that failed, with why.
    Evidence (the audit chain) is left as it is."""
    with projector.store.exclusive("rebuild"):
        lanes = [Lane.shadow(m) for m in dict.fromkeys(models) if not m.evidence]  # each once
        for lane in lanes:
            lane.model.forget()
        with projector.store.transaction(write=True) as tx:
            for lane in lanes:
                _drop(tx, lane)
                lane.model.create_tables(tx, lane.tables, with_indexes=False)
                tracking.reset(tx, lane.tracking, lane.model.version)
        # A rebuild keeps thousands of folded records alive, so every collection of cycles would
        # walk them all; it makes few cycles, and they are collected once it ends.
        gc.disable()
        try:
            try:
                projector.follow(lanes, progress, BATCH_SIZE, read_ahead=True)
            except Exception as error:  # the log could not be read: nothing is swapped in
                for lane in lanes:
                    _discard(projector, lane)
                return {lane.model.name: f"{type(error).__name__}: {error}" for lane in lanes}
            failed = {
                lane.model.name: failure
                for lane in lanes
                if (failure := _swap_in(projector, lane)) is not None
            }
            with projector.store.transaction(write=True) as tx:
                counted_afresh(tx)  # the tallies count the marks swapped in
            return failed
        finally:
            gc.enable()
            for lane in lanes:
                lane.model.forget()


def _swap_in(projector: Projector, lane: Lane) -> str | None:
    with projector.store.transaction() as tx:
        status = tracking.statuses(tx)[lane.tracking]
    if status.parked:
        _discard(projector, lane)
        return f"at position {status.error_position} ({status.error_event}): {status.error}"
    try:
        position = _swap(projector, lane)
    except Exception as error:
        _discard(projector, lane)
        return f"{type(error).__name__}: {error}"
    for listener in projector.listeners:
        listener(lane.model.name, position)
    return None


def _swap(projector: Projector, lane: Lane) -> int:
    model = lane.model
    with projector.store.transaction(write=True) as tx:
        tracking.lock(tx, model.name)  # the live runner waits here until the swap commits
        position = tracking.lock(tx, lane.tracking).position
        last = projector.records.last_position()
        while position < last:
            batch = projector.records.read_log(position, BATCH_SIZE, model.topics(), stop=last)
            if batch:
                model.apply(tx, lane.tables, batch)
            position = batch[-1][0] if len(batch) == BATCH_SIZE else last
        model.flush(tx, lane.tables)
        for table in model.tables:
            shadow = lane.tables[table.name]
            tx.execute(f"DROP TABLE IF EXISTS {table.name}")
            tx.execute(f"ALTER TABLE {shadow} RENAME TO {table.name}")
            if tx.dialect == "postgres":
                tx.execute(
                    f"ALTER TABLE {table.name} RENAME CONSTRAINT {shadow}_pkey TO {table.name}_pkey"
                )
            table.create_indexes(tx, table.name)
        tracking.replace_with(tx, model.name, position=position, version=model.version)
        tallies.forget(tx, model.name)
        tracking.delete(tx, lane.tracking)
        if projector.channel and tx.dialect == "postgres":
            payload = f"{model.name}:{position}"
            tx.execute("SELECT pg_notify(%(c)s, %(p)s)", {"c": projector.channel, "p": payload})
    return position


def _discard(projector: Projector, lane: Lane) -> None:
    with projector.store.transaction(write=True) as tx:
        _drop(tx, lane)
        tracking.delete(tx, lane.tracking)


def _drop(tx: Transaction, lane: Lane) -> None:
    for table in lane.tables.values():
        tx.execute(f"DROP TABLE IF EXISTS {table}")
