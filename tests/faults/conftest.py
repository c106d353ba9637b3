"""The fault suite runs on a PostgreSQL server of its own, which its tests crash and restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from infra.settings import Settings
from tests.support.cluster import PrivateCluster
from tests.support.postgres import run_database
from tests.support.tokens import TEST_SECRET

# Short bounds keep the suite quick; the production defaults are a little longer.
CONNECT_TIMEOUT = 2.0
STATEMENT_TIMEOUT = 3.0


@pytest.fixture(scope="session")
def cluster() -> Iterator[PrivateCluster]:
    server = PrivateCluster()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def settings(cluster: PrivateCluster) -> Iterator[Settings]:
    cluster.start_if_stopped()
    with run_database(cluster.url) as url:
        yield Settings(
            database_url=url,
            database_schema=f"f_{uuid.uuid4().hex[:12]}",
            database_connect_timeout_seconds=CONNECT_TIMEOUT,
            database_statement_timeout_seconds=STATEMENT_TIMEOUT,
            pool_size=8,
            auth_secret=TEST_SECRET,
            _env_file=None,
        )
