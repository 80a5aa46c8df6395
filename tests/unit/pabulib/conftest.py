import os
from pathlib import Path

import pytest


def pabulib_dir() -> Path | None:
    """DAUYS_PABULIB_DIR, else shared/pabulib/dev found beside a parent of this file (CI clones the
    repository next to shared/)."""
    if os.environ.get("DAUYS_PABULIB_DIR"):
        return Path(os.environ["DAUYS_PABULIB_DIR"])
    for parent in Path(__file__).resolve().parents:
        for candidate in (parent / "shared/pabulib/dev", parent.parent / "shared/pabulib/dev"):
            if candidate.is_dir():
                return candidate
    return None


DATA = pabulib_dir()
FILES = sorted(DATA.glob("*.pb")) if DATA else []


def pytest_generate_tests(metafunc):
    if "pb_file" in metafunc.fixturenames:
        metafunc.parametrize(
            "pb_file",
            FILES or [pytest.param(None, marks=pytest.mark.skip(reason="no Pabulib dev files: set DAUYS_PABULIB_DIR"))],
            ids=lambda p: p.name if p else "none",
        )
