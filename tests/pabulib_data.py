"""Where the real Pabulib elections are: DAUYS_PABULIB_DIR, or `shared/pabulib/dev` beside a parent folder
(CI clones the repository next to a copy of shared/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pabulib_dir() -> Path | None:
    if os.environ.get("DAUYS_PABULIB_DIR"):
        return Path(os.environ["DAUYS_PABULIB_DIR"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "pabulib" / "dev"
        if candidate.is_dir():
            return candidate
    return None


def pabulib_file(name: str) -> Path:
    folder = pabulib_dir()
    if folder is None or not (folder / name).exists():
        pytest.skip(f"{name} not found: set DAUYS_PABULIB_DIR to the folder of the Pabulib dev instances")
    return folder / name
