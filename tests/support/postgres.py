"""Finds a PostgreSQL server for the test run and gives the run a database of its own.

Order: STEPWISE_TEST_DATABASE_URL, else the server on 127.0.0.1:5432, else a throwaway
server from the pgserver wheel. Never skips: a run that cannot reach PostgreSQL fails.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a server the run may create databases on."""
    configured = os.environ.get("STEPWISE_TEST_DATABASE_URL")
    if configured:
        if not _reachable(configured):
            raise RuntimeError(f"STEPWISE_TEST_DATABASE_URL={configured} is not reachable")
        yield configured
    elif _reachable(LOCAL_SERVER):
        yield LOCAL_SERVER
    else:
        import pgserver  # a PostgreSQL build in a wheel: no system install needed

        with tempfile.TemporaryDirectory(prefix="stepwise-pg-") as data_dir:
            server = pgserver.get_server(data_dir, cleanup_mode="stop")
            yield server.get_uri()


@contextmanager
def run_database(server_url: str) -> Iterator[str]:
    """A database for this run alone, dropped afterwards, so runs never collide."""
    name = f"stepwise_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
