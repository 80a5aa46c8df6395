import pytest

from tests.pabulib_data import in_ci, missing, pabulib_dir

DATA = pabulib_dir()
FILES = sorted(DATA.glob("*.pb")) if DATA else []


def pytest_generate_tests(metafunc):
    if "pb_file" in metafunc.fixturenames:
        if not FILES and in_ci():
            missing("the Pabulib dev files")
        metafunc.parametrize(
            "pb_file",
            FILES or [pytest.param(None, marks=pytest.mark.skip(reason="no Pabulib dev files: set DAUYS_PABULIB_DIR"))],
            ids=lambda p: p.name if p else "none",
        )
