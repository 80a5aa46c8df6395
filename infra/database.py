"""The Piccolo engine for the configured database, and the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

import asyncpg
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query.methods.select import Select

from infra.settings import Settings


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        # A generous busy timeout: with one writer at a time, waiting beats failing a ballot.
        return SQLiteEngine(path=settings.sqlite_path, timeout=30)
    return PostgresEngine(config={
        "dsn": settings.database_url.replace("postgres://", "postgresql://", 1),
        # asyncpg prepares every statement once per connection, and PostgreSQL would soon keep one generic
        # plan for it: made while a round's ballots fit in a page, such a plan scans the whole round once
        # it holds thousands. Planning each execution costs a fraction of a millisecond and always fits
        # the table as it is now.
        "server_settings": {"plan_cache_mode": "force_custom_plan"},
    })


@cache
def engine() -> Engine:
    """The engine of Piccolo's configuration module (PICCOLO_CONF): one per process."""
    found = engine_finder()
    if found is None:
        raise RuntimeError("Piccolo found no engine: PICCOLO_CONF names no configuration module")
    return found


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


def locking(query: Select) -> Select:
    """The select with FOR UPDATE on PostgreSQL, so that concurrent writers of those rows take turns inside
    their transactions; SQLite's write transaction already lets one writer in at a time."""
    return query.lock_rows() if is_postgres() else query


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction that takes SQLite's write lock at once, so read-then-write code cannot deadlock."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate, allow_nested=False):
            yield
    else:
        async with db.transaction(allow_nested=False):
            yield


# The ballot path's two statements (the residents of a batch, the cast) run on connections of their own
# that keep one generic plan per statement and never plan a sequential scan. Planning them afresh for
# every batch, as the main pool does, cost PostgreSQL more than running them; and a generic plan made
# while the ballot table was empty must not scan it once it holds a city's votes. With sequential scans
# off, each table access in these statements is an index probe whatever the statistics say
# (tests/integration/test_ballots_and_rounds.py checks the plans made on an empty table).
BALLOT_PATH_SETTINGS = {"plan_cache_mode": "force_generic_plan", "enable_seqscan": "off"}
BALLOT_PATH_CONNECTIONS = 4
_ballot_path: asyncpg.Pool | None = None


async def fetch(statement: str, *args: object) -> list[asyncpg.Record]:
    """PostgreSQL only: a statement of the ballot path, straight to asyncpg on the ballot path's pool.

    At the peak, Piccolo's building and binding of a query costs more than PostgreSQL spends running it.
    """
    return await _ballot_path.fetch(statement, *args)


async def _release(connection: asyncpg.Connection) -> None:
    """Return a connection to the pool without asyncpg's default RESET ALL round trip after every query.

    Dauys keeps no session state (advisory locks are transaction-scoped), so only an unfinished
    transaction needs undoing.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def start() -> None:
    global _ballot_path
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=2, max_size=20, reset=_release)
        # One batch at a time stores ballots; a second connection serves a retried collision meanwhile.
        _ballot_path = await asyncpg.create_pool(dsn=db.config["dsn"], min_size=1, max_size=BALLOT_PATH_CONNECTIONS,
                                                 reset=_release, server_settings=BALLOT_PATH_SETTINGS)


def pool_use() -> dict[str, int]:
    """This process's PostgreSQL connections, in use and idle, over both pools; empty on SQLite."""
    pools = [pool for pool in (getattr(engine(), "pool", None), _ballot_path) if pool is not None]
    idle = sum(pool.get_idle_size() for pool in pools)
    return {"in_use": sum(pool.get_size() for pool in pools) - idle, "idle": idle} if pools else {}


async def stop() -> None:
    global _ballot_path
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
        if _ballot_path:
            await _ballot_path.close()
            _ballot_path = None


def is_unique_violation(exc: BaseException) -> bool:
    """A unique constraint refused the write (asyncpg and sqlite3 name it differently)."""
    return isinstance(exc, asyncpg.UniqueViolationError) or (
        isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
    )


def is_deadlock(exc: BaseException) -> bool:
    """PostgreSQL broke a lock cycle by failing this statement; it is safe to run again."""
    return isinstance(exc, asyncpg.DeadlockDetectedError)
