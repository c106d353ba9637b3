"""Benchmarks report their figures into one table, printed at the end of `make bench`."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest

ROWS: list[tuple[str, ...]] = []


@pytest.fixture
def report() -> Callable[..., None]:
    def add(*cells: object) -> None:
        ROWS.append(tuple(str(cell) for cell in cells))

    return add


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ROWS:
        return
    widths = [max(len(row[i]) for row in ROWS if i < len(row)) for i in range(max(map(len, ROWS)))]
    terminalreporter.section(
        "benchmark figures (medians; ratios against a baseline of the same run)"
    )
    for row in ROWS:
        terminalreporter.write_line(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
        )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
