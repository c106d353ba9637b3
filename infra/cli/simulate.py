"""`stepwise simulate`: months of realistic records for as many people as asked, written through
the registered commands, then projected so that `stepwise serve` shows them."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from infra import simulate as simulation
from infra.bootstrap import Runtime
from infra.cli.support import console, describe, runtime_from, unhurried


def simulate(
    people: Annotated[int, typer.Option(help="How many people to simulate", min=1)] = 50,
    months: Annotated[int, typer.Option(help="Months of history, ending today", min=1)] = 12,
    seed: Annotated[int, typer.Option(help="The same seed writes the same records")] = 1,
    no_project: Annotated[
        bool, typer.Option("--no-project", help="Leave the read models behind the log")
    ] = False,
) -> None:
    """Write months of simulated history through the real commands: plans, pathways, setbacks,
    reviews, evidence notes, risk decisions and restrictions."""
    runtime = runtime_from(unhurried())
    started = time.perf_counter()
    try:
        console.print(
            f"Simulating {people:,} people over {months} months: {describe(runtime.settings)}"
        )
        expected = simulation.events_for(people, months)
        with _bar() as bar:
            task = bar.add_task("writing events", total=expected)

            def written(events: int) -> None:
                bar.update(task, completed=events, total=max(events, expected))

            done = simulation.simulate(
                runtime, people=people, months=months, seed=seed, progress=written
            )
            bar.update(task, completed=done.events, total=done.events)
        if not no_project:
            _project(runtime)
    finally:
        runtime.close()
    rate = done.events / done.seconds if done.seconds else 0.0
    console.print(
        f"People: {done.people:,}  events written: {done.events:,}  "
        f"rate: {rate:,.0f} events/s  writing: {done.seconds:.1f} s  "
        f"elapsed: {time.perf_counter() - started:.1f} s"
    )


def _project(runtime: Runtime) -> None:
    last = runtime.records.last_position()
    with _bar() as bar:
        task = bar.add_task("projecting read models", total=last)
        simulation.project(runtime, lambda position: bar.update(task, completed=position))
        bar.update(task, completed=last)


def _bar() -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())  # fmt: skip
    return Progress(*columns, console=console)
