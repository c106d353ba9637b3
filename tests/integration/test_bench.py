"""`stepwise bench` at a tiny scale: the rebuild and memory figures are measured on simulated
records, the reconstruction figures on a served store, and the run leaves no schema or file of
its own behind."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from typer.testing import CliRunner

from infra.bench import packs
from infra.bench.incident_history import write_people
from infra.bench.rebuild import (
    first_audit_figure,
    import_floor_mb,
    measure_rebuild,
    memory_figure,
    peak_rebuild_memory_mb,
    rebuild_figures,
)
from infra.bench.reconstruction import reconstruction_figures
from infra.bench.server import serving
from infra.bootstrap import Runtime
from infra.cli.app import cli
from infra.settings import Settings
from infra.simulate import simulate


def test_the_rebuild_figures_compare_a_rebuild_with_reading_the_same_log(runtime: Runtime) -> None:
    before = runtime.records.last_position()  # the tests' staff (tests.support.staffing)
    written = simulate(runtime, people=1, months=1, seed=7).events
    steps: set[str] = set()

    def told(step: str, position: int, last: int) -> None:
        steps.add(step)

    rates = measure_rebuild(runtime, rounds=2, progress=told)
    rebuilt, floor = rebuild_figures(rates, "tiny")
    audit = first_audit_figure(runtime, rates, "tiny", told)

    assert rates.events == before + written
    assert len(rates.read_decode) == len(rates.rebuild) == len(rates.raw_read) == 2
    assert rebuilt.value > 0 and rebuilt.baseline > 0 and rebuilt.target == 0.5
    assert floor.value == rebuilt.value and floor.target == 0.25
    assert floor.baseline > rebuilt.baseline  # rows and JSON alone: faster than making events
    assert audit.value > 0
    assert steps >= {"raw read + decode 1/2", "read + decode 1/2", "rebuild 2/2", "audit chain"}
    assert runtime.projector.statuses()["audit_chain"].position == runtime.records.last_position()


def test_the_peak_memory_of_a_rebuild_is_read_from_its_own_process(runtime: Runtime) -> None:
    simulate(runtime, people=1, months=1, seed=7)

    peak, floor = peak_rebuild_memory_mb(runtime.settings), import_floor_mb()
    figure = memory_figure((100, peak), (1_000, peak + 1), floor)

    assert 20 < floor < peak < 2_000
    assert figure.value == peak + 1 - floor and figure.baseline == peak - floor
    assert figure.lower_is_better


def test_a_bench_run_writes_its_report_and_drops_what_it_made(
    settings: Settings, tmp_path: Path
) -> None:
    where = ["--database-url", settings.database_url] if settings.is_postgres else ["--sqlite"]
    arguments = ["bench", *where, "--events", "200", "--months", "1", "--rounds", "1",
                 "--only", "rebuild", "--out", str(tmp_path)]  # fmt: skip

    result = CliRunner().invoke(cli, arguments)

    assert result.exit_code == 0, result.output
    [report] = tmp_path.glob("bench-*.json")
    document = json.loads(report.read_text())
    assert {figure["section"] for figure in document["figures"]} == {"rebuild"}
    assert document["machine"]["events_large"] > document["machine"]["events_small"] > 0
    assert report.with_suffix(".md").exists()
    if settings.is_postgres:
        with psycopg.connect(settings.postgres.conninfo()) as connection:
            left = connection.execute(
                "SELECT schema_name FROM information_schema.schemata "
                "WHERE schema_name LIKE 'stepwise_bench_%'"
            ).fetchall()
        assert left == []


def test_the_reconstruction_figures_compare_a_long_history_with_a_short_one(
    runtime: Runtime,
) -> None:
    told: list[str] = []
    began = datetime.now(UTC) - timedelta(days=30)
    people = write_people(runtime.records, began, depths=(60, 600), progress=told.append)
    runtime.projector.catch_up()

    with serving(runtime.settings) as server:
        figures = reconstruction_figures(server, people, rounds=2, progress=told.append, samples=3)

    assert len(figures) == 3
    for figure in figures:
        assert figure.section == "reconstruction" and "600-event person" in figure.name
        assert figure.value > 0 and figure.baseline > 0 and figure.target == 1.5
        assert figure.detail["failed"] == figure.detail["baseline_failed"] == 0
        assert figure.detail["rounds"] == 2 and figure.detail["p99_limit_ms"] == 50.0
    assert "reconstruction, round 2/2: 3/3 reads of each, in turn" in told


def test_a_pack_is_timed_and_weighed_in_its_own_process_and_a_failed_one_counts(
    runtime: Runtime,
) -> None:
    people = write_people(runtime.records, datetime.now(UTC) - timedelta(days=2), (20,),
                          progress=lambda _: None)  # fmt: skip
    runtime.projector.catch_up()

    floor = packs._run(runtime.settings, ["--version"])
    made = packs._run(runtime.settings, packs._person(people[20].person_id, "html"))
    missing = packs._run(runtime.settings, packs._person(str(uuid.uuid4()), "html"))
    figures = packs._figures("person pack", "smaller", made, missing, floor)

    assert not floor.failed and not made.failed and missing.failed
    assert 20 < floor.peak_mb < made.peak_mb < 2_000 and made.seconds > 0
    assert [figure.met for figure in figures] == [None, None]  # no target: figures to quote
    assert figures[0].detail["baseline_failed"] == 1.0
