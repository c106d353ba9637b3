"""What every `stepwise` command shares: the console, and a runtime built from the settings."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg
import typer
from rich.console import Console

from infra.bootstrap import Runtime, build
from infra.event_store import events_table
from infra.logs import configure_logging
from infra.outages import is_transient
from infra.settings import Settings
from projections import tracking

console = Console()


def runtime_from(settings: Settings | None = None, *, inspecting: bool = False) -> Runtime:
    """The parts, built from the settings. `inspecting`: for commands that only look (status,
    audit verify), which create nothing: a database without Stepwise's records is refused."""
    settings = settings or Settings()
    configure_logging(settings)
    try:
        if inspecting and (missing := absent(settings)) is not None:
            console.print(
                f"[red]No Stepwise records here[/red] ({describe(settings)}): {missing}. Nothing "
                "was created. Point STEPWISE_DATABASE_URL (and STEPWISE_DATABASE_SCHEMA) at the "
                "database `stepwise serve` uses."
            )
            raise typer.Exit(1)
        return build(settings, creating=not inspecting)
    except Exception as error:
        if not is_transient(error):
            raise
        console.print(
            f"[red]Cannot reach the database[/red] ({describe(settings)}): {error}\n"
            "Start it, or point STEPWISE_DATABASE_URL at one that is running."
        )
        raise typer.Exit(1) from None


def absent(settings: Settings) -> str | None:
    """Why the database holds no Stepwise records (no event log, or no read models), or None;
    found without creating anything."""
    wanted = {events_table(settings.is_postgres), tracking.TABLE}
    if not settings.is_postgres:
        path = settings.sqlite_path
        if not path.is_file():
            return f"there is no file at {path}"
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as lite:
            tables = lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            found = {name for (name,) in tables}
    else:
        schema = settings.database_schema or "public"
        with psycopg.connect(settings.postgres.conninfo(), autocommit=True) as connection:
            rows = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
            found = {name for (name,) in rows}
    missing = sorted(wanted - found)
    return f"no table {', '.join(missing)}" if missing else None


def unhurried() -> Settings:
    """Settings for work nobody waits on: statements may take as long as they need."""
    return Settings(database_statement_timeout_seconds=0)


def describe(settings: Settings) -> str:
    if settings.is_postgres:
        target = settings.postgres
        return f"PostgreSQL {target.host}:{target.port}/{target.dbname}"
    return f"SQLite {settings.sqlite_path}"
