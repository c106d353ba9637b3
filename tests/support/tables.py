"""Read-model tables as plain rows, to compare what two ways of building them produced."""

from __future__ import annotations

from infra.bootstrap import Runtime
from projections.base import Row


def snapshot(runtime: Runtime) -> dict[str, list[Row]]:
    """Every read model's live tables, row by row."""
    keys = {t.name: t.primary_key for model in runtime.projector.models for t in model.tables}
    with runtime.store.transaction() as tx:
        tables = {t: tx.fetchall(f"SELECT * FROM {t} ORDER BY {key}") for t, key in keys.items()}
    for rows in tables.values():
        for row in rows:
            if "aggregate_state" in row:
                row["aggregate_state"] = bytes(row["aggregate_state"])
    return tables
