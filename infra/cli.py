"""The `stepwise` command: serve, load demo data, run and inspect projections."""

from __future__ import annotations

import logging
import signal
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from infra.bootstrap import Runtime, build
from infra.demo import load_demo
from infra.settings import Settings

cli = typer.Typer(help="Stepwise: strengths-based care records over GraphQL.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read models kept from the event log.", no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
console = Console()


def _runtime() -> Runtime:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    return build(Settings())


def _describe(settings: Settings) -> str:
    if settings.is_postgres:
        target = settings.postgres
        return f"PostgreSQL {target.host}:{target.port}/{target.dbname}"
    return f"SQLite {settings.sqlite_path}"


@cli.command()
def serve(
    demo: Annotated[bool, typer.Option(help="Load the demo people first (idempotent)")] = False,
) -> None:
    """Serve GraphQL (and GraphiQL in a browser) at /graphql."""
    runtime = _runtime()
    settings = runtime.settings
    if demo:
        _load_demo(runtime)
    from api.app import create_app  # the API is imported only by the commands that serve it

    console.print(f"Records: {_describe(settings)}")
    console.print(f"GraphiQL: [bold]http://{settings.host}:{settings.port}/graphql[/bold]")
    try:
        uvicorn.run(create_app(runtime), host=settings.host, port=settings.port)
    finally:
        runtime.close()


@cli.command()
def demo() -> None:
    """Load three demo people with assessments and plans revised over several months."""
    runtime = _runtime()
    try:
        _load_demo(runtime)
    finally:
        runtime.close()


def _load_demo(runtime: Runtime) -> None:
    person_ids = load_demo(runtime)
    if person_ids:
        console.print(f"Loaded {len(person_ids)} demo people: {', '.join(person_ids)}")
    else:
        console.print("Demo people are already recorded; nothing loaded.")


@projections_cli.command("status")
def status() -> None:
    """Show how far each read model has read the event log."""
    runtime = _runtime()
    try:
        last = runtime.records.last_position()
        table = Table("projection", "position", "behind")
        for name, position in runtime.projector.positions().items():
            table.add_row(name, str(position), str(last - position))
        console.print(f"Event log: {_describe(runtime.settings)}, last position {last}")
        console.print(table)
    finally:
        runtime.close()


@projections_cli.command("rebuild")
def rebuild(
    name: Annotated[list[str] | None, typer.Argument(help="Projections to rebuild (all)")] = None,
) -> None:
    """Empty read models and replay the whole event log into them."""
    runtime = _runtime()
    try:
        chosen = [p for p in runtime.projector.projections if not name or p.name in name]
        unknown = set(name or []) - {p.name for p in chosen}
        if unknown:
            raise typer.BadParameter(f"unknown projections: {sorted(unknown)}")
        last = runtime.records.last_position()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as progress:
            for projection in chosen:
                task = progress.add_task(projection.name, total=last)

                def advance(position: int, task: TaskID = task) -> None:
                    progress.update(task, completed=position)

                runtime.projector.rebuild(projection, advance)
                progress.update(task, completed=last)
    finally:
        runtime.close()


@projections_cli.command("run")
def run() -> None:
    """Keep every read model up to date, as its own process (e.g. beside PostgreSQL)."""
    runtime = _runtime()
    signal.signal(signal.SIGTERM, lambda *_: runtime.projector.stop())
    console.print(f"Projecting from {_describe(runtime.settings)}; Ctrl-C to stop")
    try:
        runtime.projector.run()
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()


def main() -> None:
    cli()
