"""The database's clock, which decides deadlines (principle 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.tables import Region
from infra.database import is_postgres
from infra.i18n import KAZAKHSTAN

__all__ = ["KAZAKHSTAN", "as_utc", "database_now", "kazakhstan_today"]


def kazakhstan_today() -> date:
    return datetime.now(KAZAKHSTAN).date()


async def database_now() -> datetime:
    """PostgreSQL's clock_timestamp(); SQLite is embedded in this process, so its clock is the process's."""
    if is_postgres():
        rows = await Region.raw("SELECT clock_timestamp() AS now")
        return rows[0]["now"]
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
