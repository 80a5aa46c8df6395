"""The Piccolo engine for the configured database, and the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from server.settings import Settings


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


def engine() -> Engine:
    from server.piccolo_conf import DB

    return DB


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


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


async def fetch(statement: str, *args: object) -> list[asyncpg.Record]:
    """PostgreSQL only: a statement of the ballot path, straight to asyncpg on the pool.

    At the peak, Piccolo's building and binding of a query costs more than PostgreSQL spends running it.
    """
    return await engine().pool.fetch(statement, *args)


async def _release(connection: asyncpg.Connection) -> None:
    """Return a connection to the pool without asyncpg's default RESET ALL round trip after every query.

    Dauys keeps no session state (advisory locks are transaction-scoped), so only an unfinished
    transaction needs undoing.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def start() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=2, max_size=20, reset=_release)


async def stop() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()


def is_unique_violation(exc: BaseException) -> bool:
    """A unique constraint refused the write (asyncpg and sqlite3 name it differently)."""
    return isinstance(exc, asyncpg.UniqueViolationError) or (
        isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
    )


def is_deadlock(exc: BaseException) -> bool:
    """PostgreSQL broke a lock cycle by failing this statement; it is safe to run again."""
    return isinstance(exc, asyncpg.DeadlockDetectedError)
