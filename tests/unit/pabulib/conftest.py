import pytest

from tests.pabulib_data import pabulib_dir

DATA = pabulib_dir()
FILES = sorted(DATA.glob("*.pb")) if DATA else []


def pytest_generate_tests(metafunc):
    if "pb_file" in metafunc.fixturenames:
        metafunc.parametrize(
            "pb_file",
            FILES or [pytest.param(None, marks=pytest.mark.skip(reason="no Pabulib dev files: set DAUYS_PABULIB_DIR"))],
            ids=lambda p: p.name if p else "none",
        )
