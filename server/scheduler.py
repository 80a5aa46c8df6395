"""The scheduler that drives rounds by the clock: one APScheduler job per process, idempotent by design.

APScheduler's job stores cannot be shared between processes, so jobs live in memory and the work
itself is a compare-and-set on the database (see budgets.closing): every process sweeps, each round
is closed, counted and published once, and a restart catches up on anything that fell due meanwhile.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from budgets.closing import advance_rounds
from server.settings import Settings

log = logging.getLogger("dauys.scheduler")


async def sweep(settings: Settings) -> None:
    try:
        await advance_rounds(settings.tally_lease_seconds)
    except Exception:  # a failed sweep must not stop the next one; the next pass retries
        log.exception("scheduler sweep failed")


def start_scheduler(settings: Settings) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        sweep,
        "interval",
        seconds=settings.scheduler_interval,
        args=[settings],
        id="advance-rounds",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        # The first sweep runs at once: rounds that fell due while the server was down close now.
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return scheduler
