"""Any domain module can be the first a program imports. The catalogue finds the record types
by importing the whole domain, so a module that read the catalogue while loading would break
whichever program happened to import the catalogue before it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import domain

ROOT = Path(__file__).resolve().parents[2]
# Run in a fresh interpreter: the libraries are loaded once, then each domain module is
# imported first in a child forked from that clean state.
EACH_FIRST = """
import os, sys, traceback
import eventsourcing.application, pydantic
assert not any(name.split(".")[0] == "domain" for name in sys.modules)
failed = []
for name in sys.argv[1:]:
    child = os.fork()
    if child == 0:
        try:
            __import__(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    if os.waitpid(child, 0)[1]:
        failed.append(name)
print(" ".join(failed))
"""


def test_each_domain_module_can_be_imported_first() -> None:
    names = [module.name for module in pkgutil.walk_packages(domain.__path__, "domain.")]
    assert "domain.catalogue" in names and "domain.care_records" in names
    run = subprocess.run([sys.executable, "-c", EACH_FIRST, *names], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    assert run.stdout.split() == [], run.stderr[-3000:]
