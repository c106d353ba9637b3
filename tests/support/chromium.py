"""Debian's Chromium, as the browser tests run it: headless, and cut off from the network but
for what a test serves itself."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package: `make chromium` (in `make test`) installs it
# Every request goes to a proxy on a closed port, so fails; `<-loopback>` takes away Chromium's
# own exception for the loopback interface. A test lets through only the address it serves.
DEAD_PROXY = "--proxy-server=127.0.0.1:9"
QUIET = ("--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync")  # fmt: skip


def installed_chromium() -> str:
    """The browser's path; a run without it fails (it never skips) and says how to get it."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM}: run `make chromium`")
    return CHROMIUM


def offline(reachable: str | None = None) -> list[str]:
    """Chromium's options for no network at all, or none but `reachable` (`host:port`)."""
    bypass = "<-loopback>" if reachable is None else f"<-loopback>;{reachable}"
    return [*QUIET, DEAD_PROXY, f"--proxy-bypass-list={bypass}"]
