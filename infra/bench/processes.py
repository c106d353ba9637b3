"""A command measured in a process of its own: how long it took, and its own peak memory.

The peak is the child's high-water mark (VmHWM), read from /proc while it runs: the rusage a
parent collects for a child also counts the memory the child was forked with, so a child of
a large process would show that process's size, not its own."""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.01


@dataclass(frozen=True)
class Measured:
    exit_code: int
    seconds: float
    peak_mb: float
    output: str


def run_measured(command: list[str], environment: dict[str, str], folder: Path | None = None,
                 keep_output: bool = False) -> Measured:  # fmt: skip
    # Output goes to a file, not a pipe: a pipe nobody reads until the end fills, and stalls.
    with tempfile.TemporaryFile() as kept:
        sink = kept if keep_output else subprocess.DEVNULL
        started = time.perf_counter()
        process = subprocess.Popen(command, env=environment, cwd=folder, stdout=sink,
                                   stderr=subprocess.STDOUT if keep_output else sink)  # fmt: skip
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, _high_water_kb(process.pid))
            if process.poll() is not None:
                break
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        kept.seek(0)
        output = kept.read().decode(errors="replace")
    return Measured(process.returncode, seconds, peak_kb / 1024, output)


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return 0
