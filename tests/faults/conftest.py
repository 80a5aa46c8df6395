"""Fixtures of the fault tests: private PostgreSQL and Redis, and a prepared database on them.

Everything Dauys does here runs in `dauys` subprocesses configured by `environment`; the test process
itself only speaks HTTP to them and reads the private database with asyncpg, so the suite's own
engine and database stay untouched.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.faults.services import PrivatePostgres, PrivateRedis
from tests.faults.steps import dauys


@pytest.fixture(scope="session")
def private_postgres():
    server = PrivatePostgres().create()
    yield server
    server.destroy()


@pytest.fixture
def private_redis():
    server = PrivateRedis().start()
    yield server
    server.destroy()


@pytest.fixture
async def environment(private_postgres, private_redis, tmp_path) -> dict[str, str]:
    """What a `dauys` process of this test reads: a fresh database with regions and the demo's staff."""
    env = {
        "DAUYS_DATABASE_URL": await private_postgres.new_database(),
        "DAUYS_REDIS_URL": private_redis.url,
        "DAUYS_ENV": "test",
        "DAUYS_SECRET_KEY": secrets.token_urlsafe(48),
        "DAUYS_SMS_BACKEND": f"file:{tmp_path / 'outbox.jsonl'}",
        "DAUYS_SCHEDULER_INTERVAL": "1",
    }
    dauys(env, "demo")
    return env


@pytest.fixture
def sms_outbox(environment) -> Path:
    """Where the servers of this test write their SMS (codes are read from here to sign in)."""
    return Path(environment["DAUYS_SMS_BACKEND"].removeprefix("file:"))
