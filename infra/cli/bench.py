"""`stepwise bench`: measures the system on simulated records, each figure beside a baseline
measured in the same run, and writes the figures as JSON and as a Markdown table.

It never touches anyone's records: every log it measures is written into a fresh PostgreSQL
schema (or a temporary SQLite file) made for the run, and dropped at the end unless kept.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from psycopg import sql
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infra.bench.governance import PEOPLE as GOVERNED_PEOPLE
from infra.bench.governance import governance_figures, write_service
from infra.bench.limits import limits_figures
from infra.bench.packs import SERVICE_PEOPLE, pack_figures, write_person_histories
from infra.bench.packs import write_service as write_packs_service
from infra.bench.rebuild import (
    first_audit_figure,
    import_floor_mb,
    measure_rebuild,
    memory_figure,
    peak_rebuild_memory_mb,
    rebuild_figures,
)
from infra.bench.report import (
    SECTIONS,
    Figure,
    load_average,
    machine_facts,
    markdown,
    write_report,
)
from infra.bench.server import serving
from infra.bench.webhooks import delivering, webhook_figures
from infra.bootstrap import Runtime, build
from infra.cli.support import console, describe
from infra.settings import Settings

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
HTTP_SECTIONS = {"reads", "writes", "freshness", "as_of", "reconstruction"}
LOG_SECTIONS = {"rebuild", "memory"}
URL_HELP = f"STEPWISE_BENCH_DATABASE_URL, else {DEFAULT_DATABASE_URL}"
URL_HELP = f"STEPWISE_BENCH_DATABASE_URL, else {DEFAULT_DATABASE_URL}"


@dataclass
class Scratch:
    """The stores made for one run: fresh schemas, or SQLite files in a temporary folder."""

    base_url: str
    sqlite_dir: Path | None
    stamp: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    made: list[Settings] = field(default_factory=list)

    def settings(self, label: str) -> Settings:
        if self.sqlite_dir is not None:
            url = f"sqlite:///{self.sqlite_dir / f'{label}.db'}"
            made = Settings(database_url=url)
        else:
            schema = f"stepwise_bench_{self.stamp}_{label}"
            if _schema_exists(self.base_url, schema):
                raise typer.BadParameter(f"schema {schema} exists already; not touching it")
            made = Settings(database_url=self.base_url, database_schema=schema)
        self.made.append(made)
        return made

    def drop(self) -> None:
        if self.sqlite_dir is not None:
            shutil.rmtree(self.sqlite_dir, ignore_errors=True)
            return
        conninfo = Settings(database_url=self.base_url).postgres.conninfo()
        with psycopg.connect(conninfo, autocommit=True) as connection:
            for made in self.made:
                statement = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                connection.execute(statement.format(sql.Identifier(made.database_schema or "")))

    def where(self) -> str:
        if self.sqlite_dir is not None:
            return str(self.sqlite_dir)
        return ", ".join(f"schema {made.database_schema}" for made in self.made)


def bench(
    database_url: Annotated[
        str | None,
        typer.Option(help=f"PostgreSQL database to make fresh schemas in [{URL_HELP}]"),
    ] = None,
    sqlite: Annotated[bool, typer.Option(help="Measure SQLite files instead")] = False,
    events: Annotated[int, typer.Option(help="Events in the large log; the small has a tenth")] = (
        1_000_000
    ),
    months: Annotated[int, typer.Option(help="Months of service the simulated log covers")] = 12,
    seed: Annotated[int, typer.Option(help="Seed of the simulation")] = 1,
    seconds: Annotated[float, typer.Option(help="Length of each HTTP measurement")] = 5.0,
    rounds: Annotated[int, typer.Option(help="Rounds of each measurement (medians)")] = 3,
    out: Annotated[Path, typer.Option(help="Folder for the JSON and Markdown")] = Path(
        "bench-results"
    ),
    only: Annotated[
        list[str] | None, typer.Option(help=f"Sections to measure (repeat): {', '.join(SECTIONS)}")
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the schemas (or files) afterwards")] = False,
) -> None:
    """Measure reads, writes, freshness, rebuilds, memory, point-in-time reads, incident
    reconstructions and the governance dashboard on simulated records, webhook delivery lag,
    and evidence packs, in schemas made for the run; write JSON and Markdown to --out."""
    sections = _sections(only)
    # Stopped, it still drops what it made (Ctrl-C raises; a plain kill would not unwind).
    stopped = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base_url = database_url or os.environ.get("STEPWISE_BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    sqlite_dir = Path(tempfile.mkdtemp(prefix="stepwise-bench-")) if sqlite else None
    scratch = Scratch(base_url, sqlite_dir)
    figures: list[Figure] = []
    counts: dict[str, object] = {"load_at_start": load_average()}
    failed = None
    try:
        large = None
        if sections & (LOG_SECTIONS | HTTP_SECTIONS):
            large = _measure_logs(scratch, sections, events, months, seed, rounds, figures,
                                  counts)  # fmt: skip
        if "governance" in sections:
            governed = _governance(scratch, seed, counts)
            figures += governance_figures(governed, console.print)
            large = large or governed[max(governed)]
        if "webhooks" in sections:
            delivered = scratch.settings("webhooks")
            with delivering(delivered) as server:
                figures += webhook_figures(server, max(seconds, 10.0), console.print)
            large = large or delivered
        if "limits" in sections:
            limited = scratch.settings("limits")
            with serving(limited) as server, console.status("limits") as status:
                figures += limits_figures(server, rounds * 100, lambda told: status.update(told))
            large = large or limited
        if "packs" in sections:
            large = _packs(scratch, seed, rounds, counts, figures) or large
        if large is not None and sections & HTTP_SECTIONS:
            try:
                figures += _http(large, seconds, rounds, sections)
            except Exception as error:  # the figures measured so far are still reported
                failed = f"HTTP figures: {type(error).__name__}: {error}"
                console.print(f"[red]{failed}[/red]")
    finally:
        signal.signal(signal.SIGTERM, stopped)
        if keep:
            console.print(f"Kept: {scratch.where()}")
        else:
            scratch.drop()
    assert large is not None  # every section measures a log
    counts["load_at_end"] = load_average()
    machine = machine_facts(large) | counts | ({"failed": failed} if failed else {})
    json_path, md_path = write_report(figures, machine, out / f"bench-{scratch.stamp}")
    console.print(markdown(figures, machine), markup=False, highlight=False, soft_wrap=True)
    console.print(f"Wrote {json_path} and {md_path}")
    if failed:
        raise typer.Exit(1)


def _governance(scratch: Scratch, seed: int, counts: dict[str, object]) -> dict[int, Settings]:
    """A service of each size of GOVERNED_PEOPLE, simulated in a schema of its own."""
    made = {}
    for people in GOVERNED_PEOPLE:
        settings = scratch.settings(f"governance_{people}")
        described = f"governance: simulating one service of {people:,} people"
        with _bar(described) as told:
            written = write_service(settings, people, seed, told)
        counts[f"events_governance_{people}"] = written
        console.print(f"governance: {people:,} people, {written:,} events")
        made[people] = settings
    return made


def _packs(scratch: Scratch, seed: int, rounds: int, counts: dict[str, object],
           figures: list[Figure]) -> Settings:  # fmt: skip
    """People with long and short histories, and two simulated services, then their packs."""
    people = scratch.settings("packs_people")
    with console.status("packs: writing people with 100- and 10,000-event histories") as status:
        person_ids = write_person_histories(people, lambda told: status.update(told))
    services = {}
    for size in SERVICE_PEOPLE:
        services[size] = scratch.settings(f"packs_service_{size}")
        with console.status(f"packs: simulating one service of {size:,} people"):
            written = write_packs_service(services[size], size, seed)
            counts[f"events_packs_service_{size}"] = written
    figures += pack_figures(people, services, person_ids, rounds, console.print)
    return people


def _sections(only: Sequence[str] | None) -> set[str]:
    chosen = {part.strip() for item in only or SECTIONS for part in item.split(",") if part}
    if unknown := chosen - set(SECTIONS):
        raise typer.BadParameter(f"unknown sections {', '.join(sorted(unknown))}; use {SECTIONS}")
    return chosen


def _measure_logs(
    scratch: Scratch,
    sections: set[str],
    events: int,
    months: int,
    seed: int,
    rounds: int,
    figures: list[Figure],
    counts: dict[str, object],
) -> Settings:
    """Simulates the small and the large logs and measures each; returns the large one's
    settings, its read models built."""
    scales = {"small": max(events // 10, 1), "large": events}
    if not sections & LOG_SECTIONS:
        scales = {"large": events}
    peaks: dict[str, tuple[int, float]] = {}
    for label, wanted in scales.items():
        settings = scratch.settings(label)
        written = _simulated(settings, wanted, months, seed)
        counts[f"events_{label}"] = written
        figures += _measure_log(settings, written, rounds, sections, http=label == "large")
        if "memory" in sections:
            with console.status(f"peak memory of a rebuild, {written:,} events"):
                peaks[label] = (written, peak_rebuild_memory_mb(settings))
            console.print(
                f"Peak memory of a rebuild of {written:,} events: {peaks[label][1]:.0f} MB"
            )
    if len(peaks) == 2:
        figures.append(memory_figure(peaks["small"], peaks["large"], import_floor_mb()))
    return settings


def _measure_log(
    settings: Settings, events: int, rounds: int, sections: set[str], *, http: bool
) -> list[Figure]:
    with _runtime(settings) as runtime:
        if "rebuild" in sections:
            return _rebuild(runtime, events, rounds)  # leaves every read model built
        if http and sections & HTTP_SECTIONS:
            with _bar(f"building the read models, {events:,} events") as told:
                runtime.projector.catch_up(told)
    return []


def _simulated(settings: Settings, events: int, months: int, seed: int) -> int:
    from infra.bench.staff import join_bench_staff
    from infra.simulate import people_for_events, simulate
    from infra.simulate.story import TENANT

    people = people_for_events(events, months)
    with _runtime(settings) as runtime, _progress() as progress:
        task = progress.add_task(f"simulating {people:,} people, {months} months", total=events)
        started = time.perf_counter()
        simulated = simulate(runtime, people=people, months=months, seed=seed,
                             progress=lambda n: progress.update(task, completed=n))  # fmt: skip
        progress.update(task, completed=simulated.events, total=simulated.events)
        join_bench_staff(runtime.records, TENANT)
    rate = simulated.events / (time.perf_counter() - started)
    console.print(f"Simulated {simulated.events:,} events ({rate:,.0f}/s) in {describe(settings)}")
    return simulated.events


def _rebuild(runtime: Runtime, events: int, rounds: int) -> list[Figure]:
    label = f"{events:,} events"
    with _progress() as progress:
        tasks: dict[str, object] = {}

        def told(step: str, position: int, last: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(f"{step}, {label}", total=last)
            progress.update(tasks[step], completed=position)  # type: ignore[arg-type]

        rates = measure_rebuild(runtime, rounds, told)
        figures = rebuild_figures(rates, label)
        figures.append(first_audit_figure(runtime, rates, label, told))
    for figure in figures:
        console.print(f"{figure.name}: {figure.value:,.0f} {figure.unit}, "
                      f"{figure.ratio:.2f}x {figure.baseline_name}")  # fmt: skip
    return figures


def _http(settings: Settings, seconds: float, rounds: int, sections: set[str]) -> list[Figure]:
    from infra.bench.http import http_figures

    with console.status("HTTP figures") as status:
        figures = http_figures(settings, seconds, rounds, lambda step: status.update(step),
                               frozenset(sections))  # fmt: skip
    return [figure for figure in figures if figure.section in sections]


@contextmanager
def _runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = build(settings)
    try:
        yield runtime
    finally:
        runtime.close()


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip


@contextmanager
def _bar(description: str) -> Iterator[Callable[[int], None]]:
    with _progress() as progress:
        task = progress.add_task(description, total=None)
        yield lambda position: progress.update(task, completed=position)


def _schema_exists(url: str, schema: str) -> bool:
    conninfo = Settings(database_url=url).postgres.conninfo()
    with psycopg.connect(conninfo) as connection:
        found = connection.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
    return found is not None
