"""Fixtures of the integration tests that call services without the HTTP app."""

from __future__ import annotations

import pytest

from tests.conftest import POSTGRES


@pytest.fixture
def database(request) -> None:
    """The run's database, ready for services: the migrated file on SQLite; on PostgreSQL the pool too,
    which the app's services start (transactions need it). Leaving the app out on SQLite spares each
    mutant of a mutation run most of its set-up."""
    request.getfixturevalue("client" if POSTGRES else "migrated_database")
