"""`stepwise pack person ID`: a person's evidence pack as an HTML file, or a PDF of it."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.packs.person import Window
from api.packs.produce import (
    instant_param,
    page,
    read_pack,
    service_page,
    service_query,
    window,
)
from api.packs.render import pdf
from api.packs.service import steps
from domain.envelope import Actor, Role
from domain.errors import RulesViolated
from infra.access_log import READ, AccessEntry
from infra.bootstrap import Runtime
from infra.cli.support import console, runtime_from
from infra.settings import Settings
from projections.governance_measures import MEASURES

pack_cli = typer.Typer(help="Evidence packs an inspector reads: HTML, or PDF.",
                       no_args_is_help=True)  # fmt: skip
DAY = "%Y-%m-%d"
STEPS = 3  # reading, drawing, writing (and printing, for a PDF)


@pack_cli.command("person")
def person(
    person_id: Annotated[str, typer.Argument(help="The person's id")],
    purpose: Annotated[str, typer.Option(help="Why it is produced; kept in the access log")],
    first: Annotated[datetime | None, typer.Option(
        "--from", formats=[DAY], help="First day (default: a year before --to)")] = None,
    last: Annotated[datetime | None, typer.Option(
        "--to", formats=[DAY], help="Last day (default: today)")] = None,
    known_at: Annotated[str | None, typer.Option(
        "--as-known-at", help="As the records stood then, e.g. 2026-05-14T18:00:00Z "
        "(default: now)")] = None,
    out: Annotated[Path | None, typer.Option(
        help="File to write: .html, or .pdf for a PDF (default: pack-<id>.html)")] = None,
) -> None:  # fmt: skip
    """A person's story over a window: the plan and how it changed, progression charts, risk
    decisions and restrictions, the chronology with late entries and corrections flagged."""
    target = _target(out, person_id)
    with _producing(target, STEPS) as (runtime, step):
        asked = _asked(runtime, first, last, known_at)
        pack = read_pack(runtime, person_id, asked, step)
        if pack is None:
            console.print(f"[red]No person {person_id}[/red] had been registered by "
                          f"{asked.until:%Y-%m-%d}, as the records stood then.")  # fmt: skip
            raise typer.Exit(1)
        user = getpass.getuser()
        _write(target, page(runtime, pack, f"{user} at the command line ({purpose})", step), step)
        person = pack.person
        _record(runtime, AccessEntry(
            tenant_id=person["tenant_id"], field="pack/person", actor=_actor(user), outcome=READ,
            read_at=datetime.now(UTC), person_id=person["person_id"],
            record_id=person["person_id"], purpose=purpose).cleaned())  # fmt: skip
    console.print(f"Wrote {target}")


@pack_cli.command("service")
def service(
    service_id: Annotated[str, typer.Argument(help="The service's id")],
    tenant: Annotated[str, typer.Option(help="The provider the service belongs to")],
    purpose: Annotated[str, typer.Option(help="Why it is produced; kept in the access log")],
    first: Annotated[datetime | None, typer.Option(
        "--from", formats=[DAY], help="First day (default: a year before --to)")] = None,
    last: Annotated[datetime | None, typer.Option(
        "--to", formats=[DAY], help="Last day (default: today)")] = None,
    known_at: Annotated[str | None, typer.Option(
        "--as-known-at", help="As the records stood then (default: now)")] = None,
    out: Annotated[Path | None, typer.Option(
        help="File to write: .html, or .pdf for a PDF (default: pack-<service>.html)")] = None,
) -> None:  # fmt: skip
    """A service's governance measures over a window: each team side by side, monthly trends
    charted, and the records behind each figure."""
    target = _target(out, service_id)
    with _producing(target, steps(len(MEASURES)) + 1) as (runtime, step):
        asked = _asked(runtime, first, last, known_at)
        with runtime.store.transaction() as tx:
            pack = service_query(runtime, tenant, service_id, asked, step)(tx)
        user = getpass.getuser()
        _write(target, service_page(runtime, pack, f"{user} at the command line ({purpose})"),
               step)  # fmt: skip
        # The records the pack lists, each logged as read, for what purpose.
        one = AccessEntry(
            tenant_id=tenant,
            field="pack/service",
            actor=_actor(user),
            outcome=READ,
            read_at=datetime.now(UTC),
            purpose=purpose,
        ).cleaned()
        _record(runtime, *(one.about(row["person_id"], row["record_id"]) for part in pack.areas
                           for found in part.listed.values() for row in found.rows))  # fmt: skip
    console.print(f"Wrote {target}")


def _target(out: Path | None, subject: str) -> Path:
    target = out or Path(f"pack-{subject}.html")
    if target.suffix.lower() not in (".html", ".pdf"):
        raise typer.BadParameter("name an .html or a .pdf file", param_hint="--out")
    return target


@contextmanager
def _producing(target: Path,
               total: int) -> Iterator[tuple[Runtime, Callable[[str], None]]]:  # fmt: skip
    """The runtime, only looking, and a progress bar of `total` steps (one more to print a
    PDF)."""
    runtime = runtime_from(Settings(), inspecting=True)
    try:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as progress:
            pdf_step = target.suffix.lower() == ".pdf"
            task = progress.add_task("producing the pack", total=total + pdf_step)

            def step(what: str) -> None:
                progress.update(task, description=what, advance=1)

            yield runtime, step
    finally:
        runtime.close()


def _asked(runtime: Runtime, first: datetime | None, last: datetime | None,
           known_at: str | None) -> Window:  # fmt: skip
    try:
        return window(runtime, first.date() if first else None, last.date() if last else None,
                      instant_param(known_at, "--as-known-at"))  # fmt: skip
    except RulesViolated as refused:
        raise typer.BadParameter(str(refused)) from None


def _write(target: Path, html: str, step: Callable[[str], None]) -> None:
    if target.suffix.lower() == ".pdf":
        step("printing the PDF")
        target.write_bytes(pdf(html))
    else:
        target.write_text(html, encoding="utf-8")
    step(f"written to {target}")


def _record(runtime: Runtime, *entries: AccessEntry) -> None:
    """Who produced the pack, from where, and why: the access log's entries for it."""
    runtime.access_log.start()
    runtime.access_log.record(*entries)
    runtime.access_log.flush(10)


def _actor(user: str) -> Actor:
    return Actor(f"cli:{user}", f"{user} (command line)", Role.TENANT_ADMIN)
