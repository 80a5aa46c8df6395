"""The scheduler that drives rounds and initiatives by the clock: one APScheduler job per process, idempotent
by design.

APScheduler's job stores cannot be shared between processes, so jobs live in memory and the work
itself is a compare-and-set on the database (see budgets.closing): every process sweeps, each round
is closed, counted and published once, and a restart catches up on anything that fell due meanwhile.
The integrity jobs read whole rounds, so of these only the first process to claim a run does it.
Notifications are delivered by every process: notify.worker claims its work row by row.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.exceptions import RedisError

from budgets import announcements, integrity, ledger
from budgets.closing import advance_rounds
from budgets.identities import detect_registration_clusters
from core.clock import KAZAKHSTAN, database_now
from infra import database, metrics
from infra.problems import dependency_down
from infra.push import PushSender
from infra.settings import Settings
from infra.sms import SmsSender
from infra.stores import Store
from initiatives import petitions, surges
from notify import reports, worker

log = logging.getLogger("dauys.scheduler")


async def guarded(name: str, job, *args) -> None:
    try:
        await job(*args)
    except Exception as exc:  # a failed run must not stop the next one, which retries
        if dependency_down(exc):
            log.warning("scheduled job %s skipped: %s does not answer", name, type(exc).__name__)
        else:
            log.exception("scheduled job %s failed", name)


async def once(store: Store, name: str, slot_format: str, job) -> None:
    """Run `job` in the first process to claim this slot of time (`slot_format` of the UTC clock).

    Every process schedules every job; the idempotent ones would be correct if each process ran them,
    but the anomaly scan and the recount read whole rounds, and at the peak each extra run is load on
    the database that voters share. A Redis counter picks one process per slot.
    """
    slot = datetime.now(UTC).strftime(slot_format)
    try:
        first = await store.incr(f"job:{name}:{slot}", CLAIM_SECONDS) == 1
    except (RedisError, OSError):
        first = True  # without Redis every process runs it: twice is harmless, never is not
    if first:
        await guarded(name, job)


async def sweep(settings: Settings) -> None:
    await guarded("advance-rounds", advance_rounds, settings.tally_lease_seconds)
    await guarded("expire-initiatives", petitions.expire_now)
    metrics.pool_used(database.pool_use())


async def deliver(sms: SmsSender, push: PushSender | None, settings: Settings) -> None:
    await guarded("notify", worker.run_once, sms, settings, worker.FANOUT_BATCH, push)


async def measure_queue() -> None:
    metrics.notify_queue(await reports.queue_depth())


async def remind() -> None:
    await announcements.remind_closing(await database_now())


# Longer than any slot and than APScheduler's grace for a late run, so one slot is claimed once.
CLAIM_SECONDS = 2 * 24 * 3600


def start_scheduler(settings: Settings, store: Store, sms: SmsSender,
                    push: PushSender | None = None) -> AsyncIOScheduler:
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
    # Every process delivers notifications: claims (SKIP LOCKED on PostgreSQL) share the work out.
    scheduler.add_job(deliver, "interval", seconds=settings.scheduler_interval, args=[sms, push, settings],
                      id="notify", max_instances=1, coalesce=True)
    scheduler.add_job(guarded, "interval", seconds=15, args=["notify-queue", measure_queue],
                      id="notify-queue", max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
    # Every job below is idempotent (unique rows per round and window); one process runs each slot.
    scheduler.add_job(once, "interval", minutes=1, args=[store, "anomalies", "%Y-%m-%dT%H:%M",
                                                         integrity.detect_anomalies],
                      id="anomalies", max_instances=1, coalesce=True)
    scheduler.add_job(once, "interval", minutes=1, args=[store, "registration-anomalies", "%Y-%m-%dT%H:%M",
                                                         detect_registration_clusters],
                      id="registration-anomalies", max_instances=1, coalesce=True)
    scheduler.add_job(once, "interval", minutes=1, args=[store, "initiative-surges", "%Y-%m-%dT%H:%M", surges.scan],
                      id="initiative-surges", max_instances=1, coalesce=True)
    scheduler.add_job(once, "interval", minutes=1, args=[store, "closing-reminders", "%Y-%m-%dT%H:%M", remind],
                      id="closing-reminders", max_instances=1, coalesce=True)
    scheduler.add_job(once, "cron", hour=0, minute=5, timezone=KAZAKHSTAN,
                      args=[store, "ledger-checkpoints", "%Y-%m-%d", ledger.daily_checkpoints],
                      id="ledger-checkpoints", max_instances=1, coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(once, "cron", hour=2, minute=0, timezone=KAZAKHSTAN,
                      args=[store, "recount", "%Y-%m-%d", integrity.recount_all],
                      id="recount", max_instances=1, coalesce=True, misfire_grace_time=3600)
    scheduler.start()
    return scheduler
