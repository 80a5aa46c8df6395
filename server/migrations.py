"""Bringing the configured database to the latest schema, once even when several processes start together."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from pathlib import Path

import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards

from server.settings import Settings

MIGRATION_LOCK = 7212000


async def migrate(settings: Settings) -> None:
    if settings.is_sqlite:
        path = Path(settings.sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets residents read while a ballot is written; the setting stays with the file.
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        await _run_forwards()
        return
    connection = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        await _run_forwards()
    finally:
        await connection.close()


async def _run_forwards() -> None:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")
