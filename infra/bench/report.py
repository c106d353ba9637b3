"""Benchmark figures, each beside a baseline measured in the same run, written as JSON and as a
Markdown table. The machine is shared and noisy, so a figure is judged by its ratio to its
baseline, never by its absolute value."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from infra.settings import Settings

SECTIONS = (
    "reads",
    "writes",
    "freshness",
    "rebuild",
    "memory",
    "as_of",
    "reconstruction",
    "governance",
    "webhooks",
    "limits",
    "packs",
)


@dataclass(frozen=True)
class Figure:
    section: str  # one of SECTIONS
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    target: float | None = None  # the required ratio; for lower_is_better, the largest allowed
    lower_is_better: bool = False
    detail: dict[str, float] = field(default_factory=dict)  # p50_ms, p99_ms, ...

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    @property
    def met(self) -> bool | None:
        """The ratio within its target and, where a p99 limit is given, the p99 under it; never
        met with requests failed (either side), which measured something else."""
        limited = "p99_limit_ms" in self.detail  # a limit alone is a target too
        if self.target is None and not limited:
            return None
        if self.target is not None and self.ratio != self.ratio:  # no baseline (NaN)
            return False
        counted = ("failed", "baseline_failed", "refused", "baseline_refused")
        if any(self.detail.get(name, 0) for name in counted):
            return False
        if self.detail.get("p99_ms", 0.0) > self.detail.get("p99_limit_ms", float("inf")):
            return False
        if self.target is None:
            return True
        return self.ratio <= self.target if self.lower_is_better else self.ratio >= self.target

    def as_dict(self) -> dict[str, object]:
        ratio = self.ratio
        return asdict(self) | {"ratio": None if ratio != ratio else ratio, "met": self.met}


def machine_facts(settings: Settings) -> dict[str, object]:
    """Where the figures were measured: enough to compare two reports fairly."""
    facts: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cores": os.cpu_count() or 0,
        "memory_gb": round(_memory_bytes() / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "backend": "PostgreSQL" if settings.is_postgres else "SQLite",
    }
    if settings.is_postgres:
        facts["postgresql"] = _postgres_version(settings)
    else:
        import sqlite3

        facts["sqlite"] = sqlite3.sqlite_version
    return facts


def load_average() -> str:
    """The machine's load averages over 1, 5 and 15 minutes: how busy it was besides the run."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def write_report(
    figures: Sequence[Figure], machine: dict[str, object], path_stem: Path
) -> tuple[Path, Path]:
    """Writes `<stem>.json` and `<stem>.md`; returns their paths."""
    path_stem.parent.mkdir(parents=True, exist_ok=True)
    json_path = path_stem.with_name(path_stem.name + ".json")
    md_path = path_stem.with_name(path_stem.name + ".md")
    document = {"machine": machine, "figures": [figure.as_dict() for figure in figures]}
    json_path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    md_path.write_text(markdown(figures, machine))
    return json_path, md_path


def markdown(figures: Sequence[Figure], machine: dict[str, object]) -> str:
    lines = ["# Stepwise benchmark", "", *_header(machine), ""]
    lines += [
        "| section | figure | value | baseline | ratio | target | met | detail |",
        "|---|---|--:|---|--:|--:|:-:|---|",
    ]
    lines += [_row(figure) for figure in sorted(figures, key=_section_order)]
    met = [figure.met for figure in figures if figure.met is not None]
    lines += ["", f"Targets met: {sum(met)} of {len(met)}.", ""]
    return "\n".join(lines)


def _header(machine: dict[str, object]) -> list[str]:
    described = {
        "when": "Measured",
        "host": "Host",
        "cores": "Cores",
        "memory_gb": "Memory (GB)",
        "python": "Python",
        "platform": "Platform",
        "backend": "Backend",
        "postgresql": "PostgreSQL",
        "sqlite": "SQLite",
    }
    lines = [f"- {label}: {machine[key]}" for key, label in described.items() if key in machine]
    lines += [
        f"- {key.replace('_', ' ').capitalize()}: {_number(value)}"
        for key, value in machine.items()
        if key not in described
    ]
    return lines


def _row(figure: Figure) -> str:
    ratio = figure.ratio
    if figure.target is None:
        limit = figure.detail.get("p99_limit_ms")
        target = "" if limit is None else f"p99 ≤ {limit:g} ms"
    else:
        target = f"{'≤' if figure.lower_is_better else '≥'} {figure.target:g}x"
    met = {True: "yes", False: "**no**", None: ""}[figure.met]
    detail = ", ".join(f"{key} {_number(value)}" for key, value in figure.detail.items())
    cells = [
        figure.section,
        figure.name,
        f"{_number(figure.value)} {figure.unit}",
        f"{figure.baseline_name}: {_number(figure.baseline)} {figure.unit}",
        "" if ratio != ratio else f"{ratio:.2f}x",
        target,
        met,
        detail,
    ]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _section_order(figure: Figure) -> int:
    return SECTIONS.index(figure.section) if figure.section in SECTIONS else len(SECTIONS)


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if value != value:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _postgres_version(settings: Settings) -> str:
    try:
        with psycopg.connect(settings.postgres.conninfo()) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error as error:
        return f"unknown ({type(error).__name__})"
    return str(row[0]) if row else "unknown"
