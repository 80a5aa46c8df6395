"""The scheduler that drives rounds by the clock: one APScheduler job per process, idempotent by design.

APScheduler's job stores cannot be shared between processes, so jobs live in memory and the work
itself is a compare-and-set on the database (see budgets.closing): every process sweeps, each round
is closed, counted and published once, and a restart catches up on anything that fell due meanwhile.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from budgets import integrity, ledger
from budgets.clock import KAZAKHSTAN
from budgets.closing import advance_rounds
from server.errors import dependency_down
from server.settings import Settings

log = logging.getLogger("dauys.scheduler")


async def guarded(name: str, job, *args) -> None:
    try:
        await job(*args)
    except Exception as exc:  # a failed run must not stop the next one, which retries
        if dependency_down(exc):
            log.warning("scheduled job %s skipped: %s does not answer", name, type(exc).__name__)
        else:
            log.exception("scheduled job %s failed", name)


async def sweep(settings: Settings) -> None:
    await guarded("advance-rounds", advance_rounds, settings.tally_lease_seconds)


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
    # Every job below is idempotent (unique rows per round and window), so every process may run it.
    scheduler.add_job(guarded, "interval", minutes=1, args=["anomalies", integrity.detect_anomalies],
                      id="anomalies", max_instances=1, coalesce=True)
    scheduler.add_job(guarded, "cron", hour=0, minute=5, timezone=KAZAKHSTAN,
                      args=["ledger-checkpoints", ledger.daily_checkpoints],
                      id="ledger-checkpoints", max_instances=1, coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(guarded, "cron", hour=2, minute=0, timezone=KAZAKHSTAN, args=["recount", integrity.recount_all],
                      id="recount", max_instances=1, coalesce=True, misfire_grace_time=3600)
    scheduler.start()
    return scheduler
