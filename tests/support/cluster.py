"""A PostgreSQL server of the test's own, which it may stop and start at will: built from the
pgserver wheel's binaries, so the machine needs no PostgreSQL installed, and listening on a
local TCP port, as a production server would."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pgserver._commands import POSTGRES_BIN_PATH
from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

from tests.support.server import free_port

# PostgreSQL refuses to run as root; as root the server runs as this user instead.
SERVER_USER = "pgserver"


class PrivateCluster:
    def __init__(self) -> None:
        self.port = free_port()
        self._root = Path(tempfile.mkdtemp(prefix="stepwise-cluster-"))
        self.data = self._root / "data"
        self._user = SERVER_USER if os.geteuid() == 0 else None
        if self._user is not None:
            ensure_user_exists(self._user)
            ensure_prefix_permissions(self._root)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o755)
            shutil.chown(self._root, self._user)
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "utf8")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self._root} -c fsync=off"
        log = self._root / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-o", options, "-l", str(log), "start")

    def start_if_stopped(self) -> None:
        status = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True, user=self._user, timeout=30,
        )  # fmt: skip
        if status.returncode != 0:
            self.start()

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash as far as clients can tell: connections drop mid-request."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", mode, "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self._root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(POSTGRES_BIN_PATH / program), *args]
        subprocess.run(command, check=True, capture_output=True, user=self._user, timeout=60)
