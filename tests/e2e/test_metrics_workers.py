"""/metrics under `stepwise serve --workers 2`: whichever process answers a scrape, it shows
every process's requests, and the pools of every process still serving (not of one killed);
the folder the counts are kept in goes when the server stops."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx2 as httpx
from prometheus_client.parser import text_string_to_metric_families

from infra.bootstrap import build
from infra.settings import Settings
from tests.e2e.helpers import WORKER
from tests.e2e.test_serve_workers import _workers
from tests.support.server import serve_process

REQUESTS = 12
COUNTED = 'stepwise_graphql_requests_total{operation="CountedEverywhere",outcome="ok"}'
POOLS = 'stepwise_db_pool_max_connections{pool="read_models"}'
# Two workers' pools of the default size, added up.
MOST = 2 * (Settings.model_fields["pool_size"].default
            + Settings.model_fields["pool_max_overflow"].default)  # fmt: skip
DOCUMENT = {"query": "query CountedEverywhere { people { pageInfo { hasNextPage } } }"}


def scrape(url: str) -> dict[str, float]:
    # A connection of its own each time, so that either worker may answer.
    text = httpx.get(f"{url}/metrics", headers={"Connection": "close"}, timeout=30).text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{key}="{value}"' for key, value in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def counts_folder(worker: int) -> Path:
    environment = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
    (folder,) = [v for v in environment if v.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    return Path(folder.split(b"=", 1)[1].decode())


def test_every_scrape_counts_what_every_worker_did_and_the_counts_go_when_it_stops(
    settings: Settings, tmp_path: Path
) -> None:
    build(settings).close()  # the store made, with the tests' staff on record
    with serve_process(settings, tmp_path, {}, "--workers", "2") as (url, server):
        workers = _workers(server.pid)
        assert len(workers) == 2
        folder = counts_folder(workers[0])
        assert counts_folder(workers[1]) == folder and folder.is_dir()

        for _ in range(REQUESTS):
            sent = {**WORKER.headers(), "Connection": "close"}
            assert httpx.post(f"{url}/graphql", json=DOCUMENT, headers=sent, timeout=30).is_success

        scrapes = [scrape(url) for _ in range(6)]
        assert [samples[COUNTED] for samples in scrapes] == [REQUESTS] * 6
        assert all(samples["stepwise_database_up"] == 1 for samples in scrapes)
        if settings.is_postgres:  # each worker's own pools, added up (SQLite has none)
            until_pools_added_up(url)
            killed_and_replaced(server.pid, workers, folder)
            shown = scrape(url)[POOLS]
            assert shown == MOST, f"{shown}: the killed worker's pools still count"

    assert not folder.exists()


def killed_and_replaced(serving: int, workers: list[int], folder: Path) -> None:
    """Kills a worker as a crash would, and waits until the one started in its place has
    written its own pools."""
    os.kill(workers[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while not any((folder / f"gauge_livesum_{pid}.db").exists()
                  for pid in set(_workers(serving)) - set(workers)):  # fmt: skip
        assert time.monotonic() < deadline, "no worker took the killed one's place"
        time.sleep(0.2)


def until_pools_added_up(url: str) -> None:
    """Each worker writes its pools every second: both show within a few."""
    deadline = time.monotonic() + 10
    while (shown := scrape(url).get(POOLS)) != MOST:
        assert time.monotonic() < deadline, f"{POOLS} is {shown}, not {MOST}"
        time.sleep(0.2)
