"""Bringing the configured database to the latest schema, once even when several processes start together."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from pathlib import Path

import asyncpg
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from infra.settings import Settings

MIGRATION_LOCK = 7212000


def ddl_migration(migration_id: str, app_name: str, description: str, statements: list[str],
                  sqlite: list[str] | None = None) -> MigrationManager:
    """A migration of SQL that Piccolo's column options cannot say (partial indexes, triggers).

    `sqlite`, when given, replaces `statements` on the embedded database.
    """
    manager = MigrationManager(migration_id=migration_id, app_name=app_name, description=description)

    async def run() -> None:
        db = engine_finder()
        for statement in statements if sqlite is None or isinstance(db, PostgresEngine) else sqlite:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager


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


# Piccolo apps renamed since: a database migrated before knows their history under the old name.
RENAMED_APPS = {"mobile_api": "core"}


async def _rename_apps() -> None:
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists():
        return
    for old, new in RENAMED_APPS.items():
        await Migration.update({Migration.app_name: new}).where(Migration.app_name == old)


async def _run_forwards() -> None:
    await _rename_apps()
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")
