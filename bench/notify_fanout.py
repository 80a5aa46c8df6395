"""What telling a city costs: one event fanned out to 100,000 followers, to the feed and to a file: SMS outbox,
alone and while residents vote.

    .venv/bin/python bench/notify_fanout.py [--followers 100000] [--batch 1000] [--voters 5000] [--clients 50]
                                            [--duration 15] [--workers 2] [--no-ballots]

Runs on PostgreSQL and Redis (DAUYS_BENCH_POSTGRES_URL, DAUYS_BENCH_REDIS_URL; defaults are the local servers)
in a fresh database `dauys_bench_notify`. Residents and their follows of two closed, counted rounds are loaded
with COPY (preparation, not what is measured).

Alone: the first round's results are published through `budgets.closing.publish`, which writes the event in
its transaction, and three figures are timed in this process: the enqueue (the publish transaction with its
outbox row), the fan-out (`notify.worker.fan_out_batch` until nothing is due: feed items and SMS deliveries in
batches of residents, one transaction each) and the sending (`notify.worker.send_batch` until nothing is due,
to a `file:` outbox). It checks that every follower has one feed item and one SMS line.

While voting (needs wrk): `dauys serve --workers N` runs, as in a city, and wrk casts ballots in a third
round (voters prepared as bench/harness.py says) for `--duration` seconds alone; then the second round is
published while wrk goes on, the servers' own notification workers (the scheduler's job in every process)
fan it out and send its SMS, and wrk stops when the last SMS is sent. It prints the seconds to the feed and
to the last SMS, and the ballot rate alone and during the fan-out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

DATABASE = "dauys_bench_notify"
REGION = "751110000"
# The followers live in another city, so that only their follows (not the round's region) make the audience.
FOLLOWERS_REGION = "711110000"
FEED_TARGET_SECONDS = 30.0
POLL_SECONDS = 0.1


async def prepare(followers: int, rounds: int) -> list[int]:
    """`rounds` closed, counted rounds of Almaly, each followed by the same `followers` residents."""
    import asyncpg

    from budgets.ballots import VoteRules
    from budgets.closing import advance_rounds
    from budgets.rounds import RoundDraft, add_project, create_round
    from budgets.tables import Round

    now = datetime.now(UTC)
    round_ids = []
    for _ in range(rounds):
        round_ = await create_round("bench", RoundDraft(
            region=REGION, title={"ru": "Бюджет участия", "kk": "Қатысу бюджеті"}, description={},
            budget=50_000_000, rule="greedy", min_age=18, vote=VoteRules("approval", 1, 3),
            voting_opens_at=now + timedelta(hours=1), voting_closes_at=now + timedelta(days=1), auto_publish=False))
        round_ids.append(round_.id)
        await add_project("bench", round_.id, {"ru": "Сквер"}, {}, 10_000_000, None)
    connection = await asyncpg.connect(harness.database_url(DATABASE))
    try:
        await connection.copy_records_to_table("resident", records=[
            (f"+7702{number:07d}", FOLLOWERS_REGION, ("kk", "ru", "en")[number % 3], now) for number in range(followers)
        ], columns=["phone", "region", "language", "created_at"])
        ids = [row["id"] for row in await connection.fetch(
            "SELECT id FROM resident WHERE region = $1 ORDER BY id", FOLLOWERS_REGION)]
        await connection.copy_records_to_table("notify_follow", records=[
            (resident, "round", str(round_id), now) for round_id in round_ids for resident in ids
        ], columns=["resident", "kind", "target", "created_at"])
        await connection.execute("VACUUM ANALYZE resident")
        await connection.execute("VACUUM ANALYZE notify_follow")
    finally:
        await connection.close()
    await Round.update({Round.voting_opens_at: now - timedelta(hours=2),
                        Round.voting_closes_at: now - timedelta(seconds=1)}).where(Round.id.is_in(round_ids))
    await advance_rounds(lease_seconds=600)
    return round_ids


async def results_event(round_id: int) -> int:
    from notify.tables import NotifyEvent

    row = await NotifyEvent.select(NotifyEvent.id).where(
        (NotifyEvent.kind == "round.results_published") & (NotifyEvent.subject_id == str(round_id))).first()
    return row["id"]


async def check_delivered(event_id: int, followers: int, outbox: Path, round_id: int) -> None:
    from notify.tables import Delivery, FeedItem

    feed = await FeedItem.count().where(FeedItem.event == event_id)
    sent = await Delivery.count().where((Delivery.event == event_id) & (Delivery.state == "sent"))
    needle = f"/rounds/{round_id}/results"
    lines = sum(needle in line for line in outbox.open(encoding="utf-8")) if outbox.exists() else 0
    if not feed == sent == lines == followers:
        raise SystemExit(f"expected {followers} of each: feed {feed}, sent {sent}, SMS lines {lines}")


def verdict(feed_seconds: float) -> str:
    return f"target < {FEED_TARGET_SECONDS:.0f} s: {'met' if feed_seconds < FEED_TARGET_SECONDS else 'MISSED'}"


async def alone(args: argparse.Namespace, round_id: int, outbox: Path) -> None:
    from budgets.closing import publish
    from infra.settings import get_settings
    from infra.sms import make_sender
    from notify import worker

    settings = get_settings()
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
    await check_delivered(await results_event(round_id), args.followers, outbox, round_id)
    print("alone, in this process:")
    print(f"  enqueue (publish + outbox row)   {enqueued - started:7.2f} s")
    print(f"  fan-out to the feed + SMS queue  {fanned - enqueued:7.2f} s in {batches} batches "
          f"(feed {fanned - started:.2f} s after publishing; {verdict(fanned - started)})")
    print(f"  send {args.followers:,} SMS to file:       {sent - fanned:7.2f} s "
          f"({args.followers / max(sent - fanned, 1e-9):,.0f} SMS/s)")


async def while_voting(args: argparse.Namespace, round_id: int, voting: harness.VotingRound, outbox: Path,
                       work: Path) -> None:
    from budgets.closing import publish
    from notify.tables import Delivery, NotifyEvent

    script = harness.ballot_script(work, voting)
    server, base = harness.start_server(work, args.workers)
    try:
        harness.flush_redis()
        before = await asyncio.to_thread(harness.wrk, base, args.clients, args.duration, script, True)
        harness.flush_redis()
        load = harness.WrkWhile(base, args.clients, script)
        await asyncio.sleep(1)
        started = time.perf_counter()
        await publish("bench", round_id)
        enqueued = time.perf_counter()
        event_id = await results_event(round_id)
        fed = None
        while True:
            state = (await NotifyEvent.select(NotifyEvent.state).where(NotifyEvent.id == event_id).first())["state"]
            if fed is None and state == "done":
                fed = time.perf_counter()
            if fed is not None and not await Delivery.exists().where(
                    (Delivery.event == event_id) & Delivery.state.is_in(["queued", "failed"])):
                break
            await asyncio.sleep(POLL_SECONDS)
        sent = time.perf_counter()
        during = load.stop()
    finally:
        server.terminate()
        server.wait(timeout=30)
    await check_delivered(event_id, args.followers, outbox, round_id)
    print(f"while voting, by dauys serve --workers {args.workers}'s own workers (polled every {POLL_SECONDS} s; "
          f"{args.clients} wrk clients, {len(voting.tokens):,} voters):")
    print(f"  enqueue (publish + outbox row)   {enqueued - started:7.2f} s")
    print(f"  in every follower's feed         {fed - started:7.2f} s after publishing ({verdict(fed - started)})")
    print(f"  last of {args.followers:,} SMS sent to file:  {sent - started:7.2f} s after publishing")
    print(f"  ballots alone ({args.duration} s)          {before['rps']:7.0f}/s, p50 {before['p50']:.1f} ms, "
          f"p99 {before['p99']:.1f} ms, errors {before['errors']}")
    print(f"  ballots during the fan-out       {during['rps']:7.0f}/s, p50 {during['p50']:.1f} ms, "
          f"p99 {during['p99']:.1f} ms, errors {during['errors']} ({during['rps'] / before['rps']:.2f} of alone)")


async def run(args: argparse.Namespace, outbox: Path, work: Path) -> None:
    from core.regions import load_regions, reference_regions
    from infra import database
    from infra.migrations import migrate
    from infra.settings import get_settings

    await harness.fresh_database(DATABASE)
    await migrate(get_settings())
    await database.start()
    try:
        await load_regions(reference_regions())
        prepared = time.perf_counter()
        voting = await harness.voting_round(args.voters, REGION) if args.ballots else None
        first, second = await prepare(args.followers, 2)
        # The voting round's opening told its voters: preparation too, not the fan-out measured.
        from notify import worker
        while await worker.fan_out_batch(args.batch) is not None:
            pass
        print(f"machine: {os.cpu_count()} cores; PostgreSQL + Redis; {args.followers:,} followers of one round, "
              f"batches of {args.batch}; prepared in {time.perf_counter() - prepared:.1f} s")
        await alone(args, first, outbox)
        if voting is not None:
            await while_voting(args, second, voting, outbox, work)
    finally:
        await database.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=15, help="seconds of ballots alone, before the fan-out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ballots", dest="ballots", action="store_false",
                        help="only the fan-out alone (no dauys serve, no wrk)")
    args = parser.parse_args()
    if args.ballots and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk), or pass --no-ballots")
    work = Path(tempfile.mkdtemp(prefix="dauys-bench-"))
    outbox = work / "outbox.jsonl"
    os.environ.update({**harness.server_environment(DATABASE, outbox, secrets.token_urlsafe(48)),
                       "PICCOLO_CONF": "server.piccolo_conf"})
    harness.flush_redis()
    asyncio.run(run(args, outbox, work))


if __name__ == "__main__":
    main()
