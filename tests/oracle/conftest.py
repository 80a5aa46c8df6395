import os
from pathlib import Path


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
