"""The database's clock, which decides deadlines (principle 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from core.tables import Region
from infra.database import is_postgres

# Kazakhstan keeps one time zone, UTC+5, since March 2024: ages and "the day voting opens" are days there.
KAZAKHSTAN = timezone(timedelta(hours=5))


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
