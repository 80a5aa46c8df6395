"""Test set-up: a fresh database (PostgreSQL when DAUYS_DATABASE_URL names one, else SQLite) per run.

The environment is fixed before any Dauys module is imported, because settings are read once.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path

import pytest

WORK = Path(tempfile.mkdtemp(prefix="dauys-tests-"))
BASE_URL = os.environ.get("DAUYS_DATABASE_URL", "")
if BASE_URL.startswith("postgres"):
    # Each run gets its own database on the server, dropped at the end.
    TEST_DB = f"dauys_test_{uuid.uuid4().hex[:10]}"
    ADMIN_URL = BASE_URL.rsplit("/", 1)[0] + "/postgres"
    os.environ["DAUYS_DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + TEST_DB
else:
    TEST_DB = None
    os.environ["DAUYS_DATABASE_URL"] = f"sqlite:///{WORK / 'dauys.db'}"
os.environ["DAUYS_ENV"] = "test"
os.environ["DAUYS_SECRET_KEY"] = "test-secret-key-" + uuid.uuid4().hex
os.environ["DAUYS_SMS_BACKEND"] = f"file:{WORK / 'outbox.jsonl'}"
os.environ["DAUYS_PUBLIC_URL"] = "http://dauys.test"
# Redis keys of this run carry its own prefix: two runs on one machine (or one Redis) never meet.
os.environ["DAUYS_REDIS_PREFIX"] = f"dauys-test-{uuid.uuid4().hex[:10]}:"
os.environ["PICCOLO_CONF"] = "server.piccolo_conf"

POSTGRES = TEST_DB is not None


def pytest_collection_modifyitems(config, items):
    if POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL and Redis: run with DAUYS_DATABASE_URL=postgresql://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def work_dir() -> Path:
    return WORK


@pytest.fixture(scope="session")
def outbox() -> Path:
    return WORK / "outbox.jsonl"


@pytest.fixture(scope="session")
async def migrated_database():
    if POSTGRES:
        await _admin(f'CREATE DATABASE "{TEST_DB}"')
    from infra.migrations import migrate
    from infra.settings import get_settings

    await migrate(get_settings())
    from core.regions import load_regions, reference_regions
    from infra import database

    await database.start()
    await load_regions(reference_regions())
    await database.stop()
    yield os.environ["DAUYS_DATABASE_URL"]
    if POSTGRES:
        await _admin(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def client(migrated_database):
    """An HTTP client on the app, running in the tests' own event loop so both share one pool."""
    import httpx

    from infra.settings import get_settings
    from server.app import create_app, start_services, stop_services

    app = create_app(run_scheduler=False)
    # The lifespan's own task group cannot span pytest's fixture tasks; start the same services directly.
    await start_services(app, get_settings(), run_scheduler=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://dauys.test") as test_client:
        yield test_client
    await stop_services(app)
    await _forget_redis_keys()


async def _forget_redis_keys() -> None:
    """This run's keys go with it; other runs' keys (their own prefix) are left alone."""
    if not os.environ.get("DAUYS_REDIS_URL"):
        return
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["DAUYS_REDIS_URL"])
    try:
        keys = [key async for key in redis.scan_iter(match=os.environ["DAUYS_REDIS_PREFIX"] + "*", count=1000)]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start:start + 1000])
    finally:
        await redis.aclose()


@pytest.fixture(scope="session")
def event_loop_policy():
    return asyncio.DefaultEventLoopPolicy()
