"""Every file the app reads at run time ships in the package: an install that is not editable
(the Docker image) has only what pyproject's package-data names beside the Python modules."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = {".py", ".pyc", ".sh"}  # modules ship anyway; the asset script is for developers


def test_every_file_beside_the_modules_is_named_in_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = config["tool"]["setuptools"]["package-data"]
    unshipped = []
    for path in sorted((ROOT / "api").rglob("*")):
        if not path.is_file() or path.suffix in LEFT_OUT or "__pycache__" in path.parts:
            continue
        folder = path.parent.relative_to(ROOT)
        shipped = False
        while folder != Path("."):
            package = ".".join(folder.parts)
            inside = path.relative_to(ROOT / folder).as_posix()
            if any(fnmatch.fnmatch(inside, pattern) for pattern in declared.get(package, [])):
                shipped = True
                break
            folder = folder.parent
        if not shipped:
            unshipped.append(path.relative_to(ROOT).as_posix())

    assert unshipped == []
