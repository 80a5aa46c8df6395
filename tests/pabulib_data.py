"""Where the real Pabulib elections are: DAUYS_PABULIB_DIR, or `shared/pabulib/dev` beside a parent folder
(CI clones the repository next to a copy of shared/).

Away from CI a missing folder skips the tests that need it; in CI (the CI variable set) it fails them,
since a check that quietly skips there is a check nobody runs.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import NoReturn

import pytest

HOW = "set DAUYS_PABULIB_DIR to the folder of the Pabulib dev instances"


def pabulib_dir() -> Path | None:
    if os.environ.get("DAUYS_PABULIB_DIR"):
        folder = Path(os.environ["DAUYS_PABULIB_DIR"])
        return folder if folder.is_dir() else None
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "pabulib" / "dev"
        if candidate.is_dir():
            return candidate
    return None


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def missing(what: str, how: str = HOW) -> NoReturn:
    """Skip for want of `what`, or fail in CI."""
    message = f"{what} not found: {how}"
    if in_ci():
        pytest.fail(f"{message} (CI runs every Pabulib test: none may be skipped there)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def pabulib_folder() -> Path:
    """The folder of the Pabulib dev instances, for a module that needs it whole."""
    return pabulib_dir() or missing("the Pabulib dev files")


def pabulib_file(name: str) -> Path:
    folder = pabulib_dir()
    if folder is None or not (folder / name).exists():
        missing(name)
    return folder / name


def import_or_missing(module: str, install: str):
    """The module, or a skip (a fail in CI) saying what to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(module, install)
