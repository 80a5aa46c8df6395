"""Uploaded photos of these tests go to the run's temporary folder, never into the work tree."""

import os

from tests.conftest import WORK

os.environ.setdefault("DAUYS_MEDIA_DIR", str(WORK / "media"))
