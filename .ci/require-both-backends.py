"""Fails unless the run executed PostgreSQL tests (as many as SQLite ones) and the fault suite,
and skipped none."""

import sys
import xml.etree.ElementTree as ET

cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
counts = {"sqlite": 0, "postgres": 0}
faults = 0
skipped = []
for case in cases:
    name = case.get("name", "")
    if case.find("skipped") is not None:
        skipped.append(f"{case.get('classname')}::{name}")
    if case.get("classname", "").startswith("tests.faults") and case.find("skipped") is None:
        faults += 1
    for backend in counts:
        if f"[{backend}" in name and case.find("skipped") is None:
            counts[backend] += 1

print(
    f"executed: {counts['sqlite']} sqlite tests, {counts['postgres']} postgres tests, "
    f"{faults} fault tests"
)
if skipped:
    sys.exit(f"skipped tests are untested paths: {skipped}")
if faults == 0:
    sys.exit("the fault suite (tests/faults) did not run")
if counts["postgres"] == 0 or counts["postgres"] != counts["sqlite"]:
    sys.exit("every integration and e2e test must run on PostgreSQL as well as SQLite")
