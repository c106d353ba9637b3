"""The `stepwise` command: serve, load demo data, run, inspect, rebuild and retry read models,
export and check the published GraphQL schema, verify the audit chain."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from infra.bootstrap import Runtime
from infra.cli.audit import audit_cli
from infra.cli.bench import bench
from infra.cli.keys import keys_cli
from infra.cli.packs import pack_cli
from infra.cli.simulate import simulate
from infra.cli.support import console, describe, runtime_from, unhurried
from infra.cli.tokens import (
    print_demo_tokens,
    token,
    warn_of_development_secret,
    with_local_secret,
)
from infra.demo import load_demo
from infra.logs import uvicorn_log_config
from infra.read_store import Busy
from infra.rebuild import rebuild as rebuild_read_models
from infra.settings import Settings
from infra.tracing import missing as tracing_missing
from projections.base import ReadModel

PARKED = 3  # `projections status`: a read model is parked (1: no records or no database here)

cli = typer.Typer(help="Stepwise: strengths-based care records over GraphQL.", no_args_is_help=True)
projections_cli = typer.Typer(help="Read models kept from the event log.", no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
schema_cli = typer.Typer(help="The published GraphQL schema (api/schema.graphql).",
                         no_args_is_help=True)  # fmt: skip
cli.add_typer(schema_cli, name="schema")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(pack_cli, name="pack")
cli.command("token")(token)
cli.command("simulate")(simulate)
cli.command("bench")(bench)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [STEPWISE_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [STEPWISE_PORT]")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Server processes [STEPWISE_WORKERS]")
    ] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo people first (idempotent)")] = False,
) -> None:
    """Serve GraphQL (and GraphiQL in a browser) at /graphql."""
    given = {"host": host, "port": port, "workers": workers}
    overrides = {key: value for key, value in given.items() if value is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if (problem := tracing_missing(settings)) is not None:
        console.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    if not _can_listen(settings.host, settings.port):
        console.print(f"Port {settings.port} on {settings.host} is in use: stop what listens "
                      "there, or pass --port (STEPWISE_PORT)", markup=False, highlight=False,
                      soft_wrap=True)  # fmt: skip
        raise typer.Exit(1)
    settings = with_local_secret(settings)
    runtime = runtime_from(settings)
    try:
        _rebuild_outdated(runtime)
        if demo:
            _load_demo(runtime)
            print_demo_tokens(settings)
    finally:
        runtime.close()
    warn_of_development_secret(settings)  # last before the server's own lines: hard to miss
    console.print(f"Records: {describe(settings)}")
    console.print(f"GraphiQL: [bold]http://{settings.host}:{settings.port}/graphql[/bold]")
    # Each serving process builds its app from the environment, so it must hold what was
    # decided here. With several workers this process keeps the read models for them all
    # (unless another process does: STEPWISE_RUN_PROJECTOR=false).
    keeps_read_models = settings.workers > 1 and settings.run_projector
    if settings.workers > 1:
        os.environ["STEPWISE_RUN_PROJECTOR"] = "false"  # the workers only serve
    if settings.auth_secret is not None:
        os.environ["STEPWISE_AUTH_SECRET"] = settings.auth_secret.get_secret_value()
    keeper = runtime_from(settings) if keeps_read_models else None
    counts = _shared_metrics_folder() if settings.workers > 1 else None
    try:
        if keeper is not None:
            keeper.keep_read_models()
        uvicorn.run(
            "api.app:create_app_from_environment",
            factory=True,  # an import string, so that each worker process builds its own app
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            access_log=False,  # each request's line is logged by the app (api.observed)
            log_config=uvicorn_log_config(settings),
        )
    finally:
        if keeper is not None:
            keeper.close()
        if counts is not None:
            shutil.rmtree(counts, ignore_errors=True)


def _shared_metrics_folder() -> str:
    """Where the workers keep their counts for /metrics to add up (prometheus_client's
    multiprocess mode): a fresh folder each run, so no count outlives the run."""
    folder = tempfile.mkdtemp(prefix="stepwise-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # prometheus_client's variable (api.metrics)
    return folder


def _can_listen(host: str, port: int) -> bool:
    """Whether the server could listen there now (checked before anything is printed as if
    it would)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@cli.command()
def demo() -> None:
    """Load three demo people with assessments and plans revised over several months."""
    runtime = runtime_from()
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
    """Show how far each read model has read the event log, and any that are parked (then exit
    3, so a health check fails until they are retried)."""
    runtime = runtime_from(inspecting=True)
    try:
        last = runtime.records.last_position()
        statuses = runtime.projector.statuses()
        table = Table("read model", "position", "behind", "state", "error")
        for model in runtime.projector.models:
            current = statuses[model.name]
            state = "outdated" if current.version != model.version else current.state
            error = f"at {current.error_position}: {current.error}" if current.parked else ""
            table.add_row(model.name, str(current.position), str(last - current.position), state,
                          error)  # fmt: skip
        console.print(f"Event log: {describe(runtime.settings)}, last position {last}")
        console.print(table)
        parked = [model.name for model in runtime.projector.models if statuses[model.name].parked]
    finally:
        runtime.close()
    if parked:
        retry = "`stepwise projections retry NAME`"
        console.print(f"Parked: {', '.join(parked)}. Fix the cause in the error column, then "
                      f"{retry}.", style="red", soft_wrap=True)  # fmt: skip
        raise typer.Exit(PARKED)


@projections_cli.command("rebuild")
def rebuild(
    name: Annotated[list[str] | None, typer.Argument(help="Read models to rebuild (all)")] = None,
) -> None:
    """Rebuild read models from the whole log, beside the live ones, then swap them in."""
    runtime = runtime_from(unhurried())
    try:
        chosen = (
            [_model(runtime, n) for n in dict.fromkeys(name)] if name else runtime.projector.models
        )
        if evidence := [model.name for model in chosen if model.evidence]:
            console.print(
                f"Not rebuilt: {', '.join(evidence)} (evidence: rebuilding would attest to the "
                "log as it is now; `stepwise audit verify` checks it instead)"
            )
        if rebuildable := [model for model in chosen if not model.evidence]:
            _rebuild(runtime, rebuildable)
    finally:
        runtime.close()


@projections_cli.command("retry")
def retry(name: Annotated[str, typer.Argument(help="The parked read model")]) -> None:
    """Let a parked read model try again from the event it stopped at (after a fix)."""
    runtime = runtime_from()
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
    runtime = runtime_from(unhurried())
    signal.signal(signal.SIGTERM, lambda *_: runtime.projector.stop())
    try:
        _rebuild_outdated(runtime)
        console.print(f"Projecting from {describe(runtime.settings)}; Ctrl-C to stop")
        runtime.deliveries.start()  # webhooks are delivered where the read models are kept
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
    outdated = [runtime.projector.model(name) for name in runtime.outdated]
    if evidence := [model.name for model in outdated if model.evidence]:
        console.print(
            f"[red]{', '.join(evidence)} was built by an earlier version[/red] and is evidence, "
            "so it is not rebuilt: keep the earlier version's chain and verify it with that "
            "version, or start a new chain deliberately by dropping its tables"
        )
    if rebuildable := [model for model in outdated if not model.evidence]:
        console.print(
            f"Read models built by an earlier version: {', '.join(m.name for m in rebuildable)}"
        )
        _rebuild(runtime, rebuildable)
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
    try:
        cli()
    except ValidationError as error:  # a setting from the environment or .env
        for line in setting_errors(error):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except OSError as error:
        if error.filename is None:  # not a file: nothing to say beyond the error itself
            raise
        # The SQLite file's folder, usually: read-only, or not a folder.
        console.print(f"Cannot write {error.filename} ({error.strerror}): make its folder "
                      "writable, or set STEPWISE_DATABASE_URL to a file in one that is",
                      markup=False, highlight=False, soft_wrap=True)  # fmt: skip
        raise SystemExit(1) from None


def setting_errors(error: ValidationError) -> list[str]:
    """One line per bad setting, naming its environment variable and what it expects; never
    the value given (it may be a password, a secret or a key)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in problem["loc"])
        variable = f"STEPWISE_{field.upper()}" if field else "a setting"
        lines.append(f"{variable}: {problem['msg'].removeprefix('Value error, ')}")
    return lines or [str(error)]


def _version(shown: bool) -> None:
    if shown:
        console.print(f"stepwise {version('stepwise')}")
        raise typer.Exit()


@cli.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit"
        ),
    ] = False,
) -> None:
    """Stepwise: strengths-based care records over GraphQL."""
