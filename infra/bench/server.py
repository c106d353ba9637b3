"""The real server, started as `stepwise serve` in a process of its own, and tokens for it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from pydantic import SecretStr

from api.auth import mint
from domain.envelope import Role
from infra.settings import Settings

READY_TIMEOUT = 300.0  # read models built by an earlier version are rebuilt before serving
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class Server:
    url: str
    host: str
    port: int
    pid: int
    settings: Settings  # with the secret its tokens are signed with

    def headers(
        self, role: Role, tenant_id: str, services: list[str] | None = None, **extra: str
    ) -> dict[str, str]:
        """A caller's bearer token (a manager with no services reads every service)."""
        token = mint(self.settings, subject=f"bench-{role.value}", name="Bench caller",
                     role=role, tenant_id=tenant_id, services=services)  # fmt: skip
        return {"Authorization": f"Bearer {token}", **extra}


def with_secret(settings: Settings) -> Settings:
    if settings.auth_secret is not None:
        return settings
    return settings.model_copy(update={"auth_secret": SecretStr(secrets.token_urlsafe(32))})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(settings: Settings) -> dict[str, str]:
    """This process's environment (so STEPWISE_WORKERS and the like pass through), with the
    database and secrets of `settings`."""
    chosen = {
        "STEPWISE_DATABASE_URL": settings.database_url,
        "STEPWISE_DATABASE_SCHEMA": settings.database_schema or "",
        "STEPWISE_AUTH_SECRET": settings.auth_secret,
        "STEPWISE_CIPHER_KEY": settings.cipher_key,
        "STEPWISE_AUDIT_KEY": settings.audit_key,
    }
    environment = dict(os.environ)
    for name, value in chosen.items():
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text:
            environment[name] = text
        else:
            environment.pop(name, None)
    return environment


@contextmanager
def serving(settings: Settings, host: str = "127.0.0.1") -> Iterator[Server]:
    """A started server, ready (every read model live); stopped when the block ends."""
    settings = with_secret(settings)
    port = free_port()
    command = [sys.executable, "-c", "from infra.cli.app import main; main()", "serve",
               "--host", host, "--port", str(port)]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env=server_environment(settings), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://{host}:{port}"
            _wait_until_ready(url, process, log)
            yield Server(url, host, port, process.pid, settings)
        finally:
            _stop(process)


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/ready", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready within {READY_TIMEOUT:g}s:\n{_tail(log)}")


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read()[-4000:].decode(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C first (uvicorn then ends its lifespan: the projector stops, the pool closes),
    SIGTERM if it lingers, and SIGKILL as the last resort."""
    for sent in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        process.send_signal(sent)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            continue
