"""The figures measured over HTTP, on the real server in a process of its own: reads, writes,
freshness, reads at a moment and incident reconstructions, each beside a baseline of the same
run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from infra.bench.as_of import TENANT as HISTORY_TENANT
from infra.bench.as_of import as_of_figures, write_plans
from infra.bench.feed import feed_figures
from infra.bench.freshness import freshness_figures
from infra.bench.in_force import TENANT as IN_FORCE_TENANT
from infra.bench.in_force import in_force_figures, write_services
from infra.bench.incident_history import IncidentHistory, write_people
from infra.bench.reads import read_figures, sample
from infra.bench.reconstruction import reconstruction_figures
from infra.bench.report import Figure
from infra.bench.server import serving, with_secret
from infra.bench.writes import write_figures
from infra.bootstrap import Runtime, build
from infra.settings import Settings

FRESHNESS_SECONDS = 10.0


def http_figures(
    settings: Settings,
    seconds: float = 5.0,
    rounds: int = 3,
    progress: Callable[[str], None] | None = None,
    sections: frozenset[str] = frozenset({"reads", "as_of", "writes", "freshness"}),
) -> list[Figure]:
    """Writes the long histories the sections measure to the given database, serves it,
    measures, stops. Reads and writes go to the people of the provider with the most people
    recorded."""
    say = progress or (lambda _: None)
    settings = with_secret(settings)
    runtime = build(settings)
    try:
        began = datetime.now(UTC) - timedelta(days=30)
        service_began, service_written = datetime.now(UTC) - timedelta(days=270), datetime.now(UTC)
        plans: dict[int, str] = {}
        people: dict[int, IncidentHistory] = {}
        if "as_of" in sections:  # the histories take minutes to write: only those measured
            say("asOf: writing plans of 100, 1,000 and 10,000 events")
            plans = write_plans(runtime.records, began)
            say("asOf: writing two services of 800 people and their restrictions")
            write_services(runtime.records, service_began)
        if "reconstruction" in sections:
            people = write_people(runtime.records, began, progress=say)
        if not runtime.outdated:  # else the server rebuilds them before it is ready
            say("bringing the read models up to date")
            runtime.projector.catch_up()
        tenant_id = busiest_provider(runtime)
        say(f"starting the server; reads and writes as a manager of {tenant_id}")
        with serving(settings) as server:
            data = sample(server, tenant_id)
            say(f"{len(data.people)} people with plans in {len(data.services)} services")
            figures = []
            if "reads" in sections:
                figures += read_figures(server, data, seconds, rounds, say)
                figures += feed_figures(server, data, seconds, rounds, say)
            if "as_of" in sections:
                figures += as_of_figures(server, plans, began, say)
                figures += in_force_figures(server, service_began, service_written)
            if "reconstruction" in sections:
                figures += reconstruction_figures(server, people, rounds, say)
            if "writes" in sections:
                figures += write_figures(server, runtime, data, seconds, rounds, say)
            if "freshness" in sections:
                figures += freshness_figures(
                    server, data, max(seconds, FRESHNESS_SECONDS), rounds, say
                )
        return figures
    finally:
        runtime.close()


def busiest_provider(runtime: Runtime) -> str:
    with runtime.store.transaction() as tx:
        row = tx.fetchone(
            "SELECT tenant_id, COUNT(*) AS people FROM people "
            "WHERE tenant_id NOT IN (%(plans)s, %(service)s) "
            "GROUP BY tenant_id ORDER BY people DESC LIMIT 1",
            {"plans": HISTORY_TENANT, "service": IN_FORCE_TENANT},
        )
    if row is None:
        raise RuntimeError("no people are recorded: fill the database first")
    return str(row["tenant_id"])
