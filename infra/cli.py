"""The `stepwise` command: serve, load demo data, run, inspect, rebuild and retry read models,
export and check the published GraphQL schema."""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from infra.bootstrap import Runtime, build
from infra.demo import load_demo
from infra.outages import is_transient
from infra.read_store import Busy
from infra.rebuild import rebuild as rebuild_read_models
from infra.settings import Settings
from projections.base import ReadModel

cli = typer.Typer(help="Stepwise: strengths-based care records over GraphQL.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read models kept from the event log.", no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
schema_cli = typer.Typer(help="The published GraphQL schema (api/schema.graphql).",
                         no_args_is_help=True)  # fmt: skip
cli.add_typer(schema_cli, name="schema")
console = Console()


def _runtime(settings: Settings | None = None) -> Runtime:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = settings or Settings()
    try:
        return build(settings)
    except Exception as error:
        if not is_transient(error):
            raise
        console.print(
            f"[red]Cannot reach the database[/red] ({_describe(settings)}): {error}\n"
            "Start it, or point STEPWISE_DATABASE_URL at one that is running."
        )
        raise typer.Exit(1) from None


def _unhurried() -> Settings:
    """Settings for work nobody waits on: statements may take as long as they need."""
    return Settings(database_statement_timeout_seconds=0)


def _describe(settings: Settings) -> str:
    if settings.is_postgres:
        target = settings.postgres
        return f"PostgreSQL {target.host}:{target.port}/{target.dbname}"
    return f"SQLite {settings.sqlite_path}"


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [STEPWISE_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [STEPWISE_PORT]")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo people first (idempotent)")] = False,
) -> None:
    """Serve GraphQL (and GraphiQL in a browser) at /graphql."""
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    runtime = _runtime(Settings(**overrides))  # type: ignore[arg-type]
    settings = runtime.settings
    try:
        _rebuild_outdated(runtime)
        if demo:
            _load_demo(runtime)
        from api.app import create_app  # the API is imported only by the commands that serve it

        console.print(f"Records: {_describe(settings)}")
        console.print(f"GraphiQL: [bold]http://{settings.host}:{settings.port}/graphql[/bold]")
        uvicorn.run(create_app(runtime), host=settings.host, port=settings.port)
    finally:
        runtime.close()


@cli.command()
def demo() -> None:
    """Load three demo people with assessments and plans revised over several months."""
    runtime = _runtime()
    try:
        _rebuild_outdated(runtime)
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
    """Show how far each read model has read the event log, and any that are parked."""
    runtime = _runtime()
    try:
        last = runtime.records.last_position()
        table = Table("read model", "position", "behind", "state", "error")
        for model in runtime.projector.models:
            current = runtime.projector.statuses()[model.name]
            state = "outdated" if current.version != model.version else current.state
            error = f"at {current.error_position}: {current.error}" if current.parked else ""
            table.add_row(model.name, str(current.position), str(last - current.position), state,
                          error)  # fmt: skip
        console.print(f"Event log: {_describe(runtime.settings)}, last position {last}")
        console.print(table)
    finally:
        runtime.close()


@projections_cli.command("rebuild")
def rebuild(
    name: Annotated[list[str] | None, typer.Argument(help="Read models to rebuild (all)")] = None,
) -> None:
    """Rebuild read models from the whole log, beside the live ones, then swap them in."""
    runtime = _runtime(_unhurried())
    try:
        chosen = (
            [_model(runtime, n) for n in dict.fromkeys(name)] if name else runtime.projector.models
        )
        _rebuild(runtime, chosen)
    finally:
        runtime.close()


@projections_cli.command("retry")
def retry(name: Annotated[str, typer.Argument(help="The parked read model")]) -> None:
    """Let a parked read model try again from the event it stopped at (after a fix)."""
    runtime = _runtime()
    try:
        model = _model(runtime, name)
        if not runtime.projector.statuses()[model.name].parked:
            console.print(f"{name} is not parked; nothing to retry")
            return
        runtime.projector.retry(model.name)
        console.print(f"{name} will try again; `stepwise projections status` shows how it goes")
    finally:
        runtime.close()


@projections_cli.command("run")
def run() -> None:
    """Keep every read model up to date, as its own process (e.g. beside PostgreSQL)."""
    runtime = _runtime(_unhurried())
    signal.signal(signal.SIGTERM, lambda *_: runtime.projector.stop())
    try:
        _rebuild_outdated(runtime)
        console.print(f"Projecting from {_describe(runtime.settings)}; Ctrl-C to stop")
        runtime.projector.run()
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()


@schema_cli.command("export")
def schema_export(
    path: Annotated[Path | None, typer.Option(help="Where to write [api/schema.graphql]")] = None,
) -> None:
    """Write the code's GraphQL schema as SDL: the schema published to other systems."""
    from api import published_schema

    target = path or published_schema.PUBLISHED
    published_schema.export(target)
    console.print(f"Wrote {target}")


@schema_cli.command("check")
def schema_check(
    against: Annotated[
        Path | None, typer.Option(help="Published SDL, or - for stdin [api/schema.graphql]")
    ] = None,
) -> None:
    """Compare the code's schema with the published one; fail on changes that break clients."""
    from api import published_schema

    source = against or published_schema.PUBLISHED
    try:
        published = published_schema.read(source)
    except FileNotFoundError:
        console.print(f"No published schema at {source}: run `{published_schema.EXPORT_COMMAND}`")
        raise typer.Exit(1) from None
    lines, breaking = published_schema.report(published, published_schema.current_sdl())
    console.print(*lines, sep="\n", markup=False, highlight=False)  # SDL has [List] brackets
    if breaking:
        raise typer.Exit(1)


def _model(runtime: Runtime, name: str) -> ReadModel:
    try:
        return runtime.projector.model(name)
    except LookupError as error:
        raise typer.BadParameter(str(error)) from None


def _rebuild_outdated(runtime: Runtime) -> None:
    if runtime.outdated:
        console.print(f"Read models built by an earlier version: {', '.join(runtime.outdated)}")
        _rebuild(runtime, [runtime.projector.model(name) for name in runtime.outdated])
        runtime.outdated.clear()


def _rebuild(runtime: Runtime, models: Sequence[ReadModel]) -> None:
    last = runtime.records.last_position()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(f"rebuilding {', '.join(m.name for m in models)}", total=last)
            failures = rebuild_read_models(
                runtime.projector,
                models,
                lambda position: progress.update(task, completed=position),
            )
            progress.update(task, completed=last)
    except Busy as busy:
        console.print(f"[red]{busy}[/red]")
        raise typer.Exit(1) from None
    for model_name, failure in failures.items():
        console.print(f"[red]{model_name} was not rebuilt[/red] (live tables kept): {failure}")
    if failures:
        raise typer.Exit(1)
    console.print(f"Rebuilt and swapped in: {', '.join(m.name for m in models)}")


def main() -> None:
    cli()
