"""A PostgreSQL primary and a streaming replica of it, started for the tests that read from a
replica: two clusters of the machine's own PostgreSQL build in a temporary folder, on free
ports, stopped and deleted afterwards. Never skips: without the server's programs the tests
fail, naming what to install.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.support.server import free_port

START_SECONDS = 60


@dataclass(frozen=True)
class Replicated:
    primary_url: str
    replica_url: str

    def pause_replay(self) -> None:
        """The replica keeps receiving the primary's log but stops applying it."""
        with psycopg.connect(self.replica_url, autocommit=True) as connection:
            connection.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with psycopg.connect(self.replica_url, autocommit=True) as connection:
            connection.execute("SELECT pg_wal_replay_resume()")


@contextmanager
def primary_and_replica() -> Iterator[Replicated]:
    programs = _programs()
    owner = _owner()
    with tempfile.TemporaryDirectory(prefix="stepwise-replication-") as folder:
        root = Path(folder)
        if owner is not None:  # the server refuses to run as root
            shutil.chown(root, owner.pw_uid, owner.pw_gid)
        primary, replica = root / "primary", root / "replica"
        primary_port, replica_port = free_port(), free_port()
        run = _runner(programs, owner)
        run("initdb", "-D", str(primary), "-U", "postgres", "-A", "trust", "--no-sync")
        _configure(primary, primary_port, root)
        run("pg_ctl", "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start")
        try:
            primary_url = f"postgresql://postgres@127.0.0.1:{primary_port}/postgres"
            run("pg_basebackup", "-d", primary_url, "-D", str(replica), "-R", "-X", "stream")
            _configure(replica, replica_port, root)
            run("pg_ctl", "-D", str(replica), "-l", str(root / "replica.log"), "-w", "start")
            try:
                replica_url = f"postgresql://postgres@127.0.0.1:{replica_port}/postgres"
                _until_streaming(primary_url)
                yield Replicated(primary_url, replica_url)
            finally:
                run("pg_ctl", "-D", str(replica), "-m", "immediate", "stop")
        finally:
            run("pg_ctl", "-D", str(primary), "-m", "immediate", "stop")


def _programs() -> Path:
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(initdb).parent
    found = shutil.which("initdb")
    if found is None:
        raise RuntimeError(
            "the read-replica tests start PostgreSQL servers of their own: install the server "
            "(Debian: apt-get install postgresql), or put its bin folder on PATH"
        )
    return Path(found).parent


def _owner() -> pwd.struct_passwd | None:
    """Who runs the servers: this user, or `postgres` when this is root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root, the replica tests need a `postgres` user") from None


def _runner(programs: Path, owner: pwd.struct_passwd | None) -> Callable[..., None]:
    def run(program: str, *arguments: str) -> None:
        command = [str(programs / program), *arguments]
        if owner is not None:
            command = ["runuser", "-u", owner.pw_name, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=START_SECONDS)

    return run


def _configure(data: Path, port: int, sockets: Path) -> None:
    settings = {
        "port": str(port),
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{sockets}'",
        "wal_level": "replica",
        "max_wal_senders": "4",
        "fsync": "off",
        "hot_standby": "on",
    }
    with open(data / "postgresql.conf", "a") as conf:
        conf.writelines(f"{name} = {value}\n" for name, value in settings.items())


def _until_streaming(primary_url: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    with psycopg.connect(primary_url, autocommit=True) as connection:
        while not connection.execute(
            "SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'"
        ).fetchone():
            if time.monotonic() > deadline:
                raise RuntimeError("the replica did not start streaming from the primary")
            time.sleep(0.05)
