"""The benchmark report: every figure beside its baseline, its ratio, and whether it met its
target, as JSON and as a Markdown table."""

from __future__ import annotations

import json
import math
from pathlib import Path

from infra.bench.report import Figure, markdown, write_report

MACHINE: dict[str, object] = {"when": "2026-11-23T17:00:00+00:00", "cores": 2, "memory_gb": 23.5,
                              "python": "3.11.7", "backend": "PostgreSQL", "postgresql": "15.20",
                              "events_large": 1_000_000}  # fmt: skip


def rebuild(value: float, baseline: float = 40_000.0) -> Figure:
    return Figure("rebuild", "rebuild of every read model", value, "events/s",
                  "library read + decode", baseline, target=0.5)  # fmt: skip


def memory(value: float, baseline: float = 200.0) -> Figure:
    return Figure("memory", "peak RSS at 1,000,000 events", value, "MB", "at 100,000 events",
                  baseline, target=1.2, lower_is_better=True)  # fmt: skip


def test_a_figure_at_least_its_target_share_of_the_baseline_meets_it() -> None:
    assert rebuild(20_000).ratio == 0.5
    assert rebuild(20_000).met is True
    assert rebuild(19_999).met is False


def test_a_lower_is_better_figure_meets_its_target_at_or_below_the_ratio() -> None:
    assert memory(240).met is True
    assert memory(241).met is False
    assert memory(100).met is True


def test_a_figure_with_a_p99_limit_misses_its_target_when_the_p99_is_over_it() -> None:
    def read(p99_ms: float) -> Figure:
        limits = {"p99_ms": p99_ms, "p99_limit_ms": 50.0}
        return Figure("as_of", "restrictionsInForce(asOf)", 20, "ms", "now", 18, target=1.5,
                      lower_is_better=True, detail=limits)  # fmt: skip

    assert read(49.9).met is True
    assert read(50.1).met is False


def test_a_figure_with_failed_requests_on_either_side_misses_its_target() -> None:
    def read(failed: int, baseline_failed: int) -> Figure:
        detail = {"p99_ms": 20.0, "p99_limit_ms": 50.0, "failed": failed,
                  "baseline_failed": baseline_failed}  # fmt: skip
        return Figure("reconstruction", "incidentReconstruction", 10, "ms", "100 events", 10,
                      target=1.5, lower_is_better=True, detail=detail)  # fmt: skip

    assert read(0, 0).met is True
    assert read(1, 0).met is False
    assert read(0, 2).met is False


def test_a_figure_with_refused_requests_misses_its_target() -> None:
    detail = {"p99_ms": 20.0, "p99_limit_ms": 50.0, "refused": 3, "baseline_refused": 0}
    figure = Figure("as_of", "restrictionsInForce", 10, "ms", "now", 10, target=1.5,
                    lower_is_better=True, detail=detail)  # fmt: skip

    assert figure.met is False


def test_a_figure_without_a_target_is_neither_met_nor_missed() -> None:
    figure = Figure("reads", "GraphQL list", 300, "req/s", "{__typename}", 800)
    assert figure.met is None
    assert math.isclose(figure.ratio, 0.375)


def test_a_figure_without_a_baseline_has_no_ratio_and_misses_its_target() -> None:
    figure = rebuild(20_000, baseline=0)
    assert math.isnan(figure.ratio)
    assert figure.met is False


def test_the_markdown_table_shows_each_figure_beside_its_baseline_ratio_and_target() -> None:
    detail = Figure("writes", "createPerson over HTTP", 450, "writes/s", "library save", 900,
                    target=0.3, detail={"p50_ms": 12.5, "p99_ms": 80.0})  # fmt: skip
    text = markdown([memory(260), rebuild(25_000), detail], MACHINE)

    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| section | figure | value | baseline | ratio | target | met |")
    writes, rebuilt, memory_row = rows[1:]
    assert "| rebuild of every read model | 25,000 events/s |" in rebuilt
    assert "library read + decode: 40,000 events/s | 0.62x | ≥ 0.5x | yes |" in rebuilt
    assert "| 1.30x | ≤ 1.2x | **no** |" in memory_row
    assert "p50_ms 12.5, p99_ms 80" in writes
    assert "Targets met: 2 of 3." in text


def test_the_header_says_when_and_on_what_machine_and_how_many_events() -> None:
    text = markdown([], MACHINE)

    for line in ("- Measured: 2026-11-23T17:00:00+00:00", "- Cores: 2", "- Memory (GB): 23.5",
                 "- Python: 3.11.7", "- Backend: PostgreSQL", "- PostgreSQL: 15.20",
                 "- Events large: 1,000,000"):  # fmt: skip
        assert line in text


def test_the_report_is_written_as_json_and_markdown_side_by_side(tmp_path: Path) -> None:
    json_path, md_path = write_report([rebuild(10_000)], MACHINE, tmp_path / "out" / "bench-1")

    assert (json_path.name, md_path.name) == ("bench-1.json", "bench-1.md")
    document = json.loads(json_path.read_text())
    assert document["machine"]["cores"] == 2
    [figure] = document["figures"]
    assert figure["ratio"] == 0.25
    assert figure["met"] is False
    assert figure["lower_is_better"] is False
    assert "rebuild of every read model" in md_path.read_text()


def test_a_figure_with_only_a_p99_limit_meets_it_under_the_limit_and_without_failures() -> None:
    def figure(p99: float, failed: int = 0) -> Figure:
        return Figure("limits", "refused", 4, "ms", "{ __typename }", 3, lower_is_better=True,
                      detail={"p99_ms": p99, "p99_limit_ms": 50.0, "failed": failed})  # fmt: skip

    assert figure(12).met is True
    assert figure(51).met is False
    assert figure(12, failed=1).met is False
    assert "p99 ≤ 50 ms" in markdown([figure(12)], {})
