"""What telling a city costs: one event fanned out to 100,000 followers, to the feed and to a file: SMS outbox.

    .venv/bin/python bench/notify_fanout.py [--followers 100000] [--batch 1000]

Runs on PostgreSQL (DAUYS_BENCH_POSTGRES_URL; default the local server) in a fresh database
`dauys_bench_notify`. Residents and their follows of one round are loaded with COPY (preparation, not
what is measured); then the round's results are published through `budgets.closing.publish`, which writes
the event in its transaction, and three figures are timed: the enqueue (the publish transaction with its
outbox row), the fan-out (`notify.worker.fan_out_batch` until nothing is due: feed items and SMS deliveries
in batches of residents, one transaction each) and the sending (`notify.worker.send_batch` until nothing is
due, to a `file:` outbox). It checks that every follower has one feed item and one SMS line.

Not measured here: the ballot rate while the fan-out runs (see bench/ballot_intake.py for that set-up).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("DAUYS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "dauys_bench_notify"
REGION = "751110000"
FEED_TARGET_SECONDS = 30.0


def database_url(name: str) -> str:
    return PG.rsplit("/", 1)[0] + "/" + name


async def prepare(followers: int) -> int:
    """A closed, counted round of Almaly and `followers` residents of Almaty's other districts following it."""
    import asyncpg

    from budgets.ballots import VoteRules
    from budgets.closing import advance_rounds
    from budgets.rounds import RoundDraft, add_project, create_round
    from budgets.tables import Round

    now = datetime.now(UTC)
    round_ = await create_round("bench", RoundDraft(
        region=REGION, title={"ru": "Бюджет участия", "kk": "Қатысу бюджеті"}, description={}, budget=50_000_000,
        rule="greedy", min_age=18, vote=VoteRules("approval", 1, 3), voting_opens_at=now + timedelta(hours=1),
        voting_closes_at=now + timedelta(days=1), auto_publish=False))
    round_id = round_.id
    await add_project("bench", round_id, {"ru": "Сквер"}, {}, 10_000_000, None)
    connection = await asyncpg.connect(database_url(DATABASE))
    try:
        # Residents of another city, so that only the follows (not the round's region) make the audience.
        await connection.copy_records_to_table("resident", records=[
            (f"+7702{number:07d}", "711110000", ("kk", "ru", "en")[number % 3], now) for number in range(followers)
        ], columns=["phone", "region", "language", "created_at"])
        ids = [row["id"] for row in await connection.fetch("SELECT id FROM resident ORDER BY id")]
        await connection.copy_records_to_table("notify_follow", records=[
            (resident, "round", str(round_id), now) for resident in ids
        ], columns=["resident", "kind", "target", "created_at"])
        await connection.execute("VACUUM ANALYZE resident")
        await connection.execute("VACUUM ANALYZE notify_follow")
    finally:
        await connection.close()
    await Round.update({Round.voting_opens_at: now - timedelta(hours=2),
                        Round.voting_closes_at: now - timedelta(seconds=1)}).where(Round.id == round_id)
    await advance_rounds(lease_seconds=600)
    return round_id


async def run(args: argparse.Namespace, outbox: Path) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG)
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()

    from budgets.closing import publish
    from core.regions import load_regions, reference_regions
    from infra import database
    from infra.migrations import migrate
    from infra.settings import get_settings
    from infra.sms import make_sender
    from notify import worker
    from notify.tables import Delivery, FeedItem

    settings = get_settings()
    await migrate(settings)
    await database.start()
    try:
        await load_regions(reference_regions())
        prepared = time.perf_counter()
        round_id = await prepare(args.followers)
        print(f"machine: {os.cpu_count()} cores; PostgreSQL; {args.followers:,} followers of one round, "
              f"batches of {args.batch}; prepared in {time.perf_counter() - prepared:.1f} s")
        started = time.perf_counter()
        await publish("bench", round_id)
        enqueued = time.perf_counter()
        batches = 0
        while await worker.fan_out_batch(args.batch) is not None:
            batches += 1
        fanned = time.perf_counter()
        sender = make_sender(settings.sms_backend)
        while await worker.send_batch(sender, settings):
            pass
        sent = time.perf_counter()
        feed = await FeedItem.count()
        delivered = await Delivery.count().where(Delivery.state == "sent")
        lines = sum(1 for _ in outbox.open(encoding="utf-8")) if outbox.exists() else 0
        if not feed == delivered == lines == args.followers:
            raise SystemExit(f"expected {args.followers} of each: feed {feed}, sent {delivered}, SMS lines {lines}")
        feed_seconds = fanned - started
        verdict = "met" if feed_seconds < FEED_TARGET_SECONDS else "MISSED"
        print(f"enqueue (publish + outbox row)   {enqueued - started:7.2f} s")
        print(f"fan-out to the feed + SMS queue  {fanned - enqueued:7.2f} s in {batches} batches "
              f"(feed {feed_seconds:.2f} s after publishing; target < {FEED_TARGET_SECONDS:.0f} s: {verdict})")
        print(f"send {lines:,} SMS to file:       {sent - fanned:7.2f} s "
              f"({lines / max(sent - fanned, 1e-9):,.0f} SMS/s)")
    finally:
        await database.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dauys-bench-"))
    outbox = work / "outbox.jsonl"
    os.environ.update({
        "DAUYS_DATABASE_URL": database_url(DATABASE),
        "DAUYS_SECRET_KEY": secrets.token_urlsafe(48),
        "DAUYS_SMS_BACKEND": f"file:{outbox}",
        "DAUYS_ENV": "test",
        "PICCOLO_CONF": "server.piccolo_conf",
    })
    os.environ.pop("DAUYS_REDIS_URL", None)
    asyncio.run(run(args, outbox))


if __name__ == "__main__":
    main()
