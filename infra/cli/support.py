"""What every `stepwise` command shares: the console, and a runtime built from the settings."""

from __future__ import annotations

import logging

import typer
from rich.console import Console

from infra.bootstrap import Runtime, build
from infra.outages import is_transient
from infra.settings import Settings

console = Console()


def runtime_from(settings: Settings | None = None) -> Runtime:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = settings or Settings()
    try:
        return build(settings)
    except Exception as error:
        if not is_transient(error):
            raise
        console.print(
            f"[red]Cannot reach the database[/red] ({describe(settings)}): {error}\n"
            "Start it, or point STEPWISE_DATABASE_URL at one that is running."
        )
        raise typer.Exit(1) from None


def unhurried() -> Settings:
    """Settings for work nobody waits on: statements may take as long as they need."""
    return Settings(database_statement_timeout_seconds=0)


def describe(settings: Settings) -> str:
    if settings.is_postgres:
        target = settings.postgres
        return f"PostgreSQL {target.host}:{target.port}/{target.dbname}"
    return f"SQLite {settings.sqlite_path}"
