"""The locks install what pyproject.toml asks for: every requirement it names (the app's and
every extra's) is pinned in requirements/test.lock at a version its specifier allows, the app's
also in requirements/app.lock, and the app's lock holds the versions the tests run against. A
dependency changed in pyproject.toml without `make lock` fails here, before anything installs."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
APP_LOCK, TEST_LOCK = ROOT / "requirements" / "app.lock", ROOT / "requirements" / "test.lock"


def pinned(lock: Path) -> dict[str, set[str]]:
    """Each package's pinned versions (a lock for every platform may pin one package at
    different versions for different Pythons or systems)."""
    versions: dict[str, set[str]] = {}
    for line in lock.read_text().splitlines():
        if not line or line[0] in " #-":  # hashes, comments, options
            continue
        requirement = Requirement(line.removesuffix("\\").strip())
        (pin,) = requirement.specifier  # a lock line is `name==version`, and nothing else
        assert pin.operator == "==", line
        versions.setdefault(canonicalize_name(requirement.name), set()).add(pin.version)
    return versions


def disagreements(pyproject: Path, app_lock: Path, test_lock: Path) -> list[str]:
    """Every way the locks fail pyproject's requirements, one line each."""
    project = tomllib.loads(pyproject.read_text())["project"]
    app, tested = pinned(app_lock), pinned(test_lock)
    extras = [line for lines in project.get("optional-dependencies", {}).values() for line in lines]
    wanted: list[tuple[str, tuple[dict[str, set[str]], ...]]]
    wanted = [(line, (app, tested)) for line in project["dependencies"]]
    wanted += [(line, (tested,)) for line in extras]
    found = []
    for line, locks in wanted:
        requirement = Requirement(line)
        for lock in locks:
            versions = lock.get(canonicalize_name(requirement.name), set())
            lock_name = "app.lock" if lock is app else "test.lock"
            if not versions:
                found.append(f"{requirement.name}: not in {lock_name}")
            elif bad := sorted(v for v in versions if not requirement.specifier.contains(v, True)):
                found.append(f"{requirement.name}: {lock_name} pins {', '.join(bad)}, "
                             f"pyproject.toml asks for {requirement.specifier}")  # fmt: skip
    for name, versions in sorted(app.items()):
        if not versions <= tested.get(name, set()):
            found.append(f"{name}: app.lock pins {', '.join(sorted(versions))}, not tested")
    return found


def test_every_requirement_in_pyproject_is_locked_at_a_version_it_allows() -> None:
    found = disagreements(ROOT / "pyproject.toml", APP_LOCK, TEST_LOCK)

    assert found == [], "the locks are stale: run `make lock` and commit both\n" + "\n".join(found)


def test_a_requirement_changed_without_relocking_is_named(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\ndependencies = ["fastapi>=999", "not-yet-locked>=1"]\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\n'
    )

    found = disagreements(pyproject, APP_LOCK, TEST_LOCK)

    fastapi = next(iter(pinned(APP_LOCK)["fastapi"]))
    assert found == [
        f"fastapi: app.lock pins {fastapi}, pyproject.toml asks for >=999",
        f"fastapi: test.lock pins {fastapi}, pyproject.toml asks for >=999",
        "not-yet-locked: not in app.lock",
        "not-yet-locked: not in test.lock",
    ]


def test_the_app_is_locked_at_the_versions_the_tests_run_against(tmp_path: Path) -> None:
    drifted = tmp_path / "app.lock"
    drifted.write_text("fastapi==0.1.0\n")

    found = disagreements(ROOT / "pyproject.toml", drifted, TEST_LOCK)

    assert "fastapi: app.lock pins 0.1.0, not tested" in found
