"""What publishing a big round costs: close, count and publish 100,000 ballots over 100 projects.

    .venv/bin/python bench/publication.py [--ballots 100000] [--projects 100] [--rules greedy mes-add1]

Runs on PostgreSQL (DAUYS_BENCH_POSTGRES_URL; default the local server) in a fresh database
`dauys_bench_publication`. For each rule it creates a round with the real round and project
functions, loads the ballots with COPY (a bulk import, not the ballot endpoint: what is measured
here is what happens after voting), moves the deadline into the past and then times
`budgets.closing.advance_rounds`, the very pass the scheduler runs in every server process: close
by compare-and-set, claim the counting lease, read the counted ballots, run the rule, write the
Pabulib file, store the result and publish. A breakdown of the same steps follows, timed one by one.

Ballots are approval ballots of 1 to 5 projects with skewed (Zipf-like) popularity, from a fixed
seed, so that runs compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

DATABASE = "dauys_bench_publication"
REGION = "751110000"
TARGETS = {"greedy": 5.0, "mes-add1": 15.0}


def make_ballots(count: int, project_ids: list[int], seed: int) -> list[list[list[int]]]:
    chooser = random.Random(seed)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(project_ids))]
    ballots = []
    for _ in range(count):
        picked: set[int] = set()
        for pid in chooser.choices(project_ids, weights, k=chooser.randint(1, 5)):
            picked.add(pid)
        ballots.append([[pid, 1] for pid in sorted(picked)])
    return ballots


async def prepare_round(rule: str, projects: int, ballots: int, seed: int) -> int:
    import asyncpg

    from budgets.ballots import VoteRules
    from budgets.rounds import RoundDraft, add_project, create_round
    from budgets.tables import Round

    now = datetime.now(UTC)
    costs = random.Random(seed + 1)
    round_ = await create_round("bench", RoundDraft(
        region=REGION, title={"ru": f"Публикация: {rule}"}, description={}, budget=300_000_000, rule=rule,
        min_age=18, vote=VoteRules("approval", 1, 5), voting_opens_at=now + timedelta(hours=1),
        voting_closes_at=now + timedelta(days=1), auto_publish=True,
    ))
    round_id = round_.id
    project_ids = []
    for number in range(projects):
        cost = costs.randrange(1_000_000, 30_000_000, 1000)
        project = await add_project("bench", round_id, {"ru": f"Проект {number}"}, {}, cost, None)
        project_ids.append(project.id)
    cast_at = now - timedelta(minutes=30)
    records = [
        (round_id, secrets.token_hex(32), 1, secrets.token_urlsafe(18), json.dumps(choices), cast_at, "counted",
         "mobile")
        for choices in make_ballots(ballots, project_ids, seed)
    ]
    connection = await asyncpg.connect(harness.database_url(DATABASE))
    try:
        await connection.copy_records_to_table(
            "ballot", records=records,
            columns=["round", "voter", "revision", "receipt", "choices", "cast_at", "status", "channel"],
        )
        # Real ballots arrive over weeks and autovacuum has long visited them by the deadline; a table
        # filled a second ago would instead pay for that first visit inside the timed count.
        await connection.execute("VACUUM ANALYZE ballot")
    finally:
        await connection.close()
    # Voting took place in the past hour and has just ended.
    await Round.update({Round.voting_opens_at: now - timedelta(hours=1),
                        Round.voting_closes_at: now - timedelta(seconds=1)}).where(Round.id == round_id)
    return round_id


async def breakdown(round_id: int) -> dict[str, float]:
    """The steps of counting, timed one by one on the already published round (nothing is stored)."""
    from budgets import ledger
    from budgets.results import count_round, counted_ballots
    from budgets.rounds import get_round

    round_ = await get_round(round_id)
    started = time.perf_counter()
    await ledger.entries(round_id, round_.voting_closes_at)
    chained = time.perf_counter()
    projects, ballots = await counted_ballots(round_id)
    loaded = time.perf_counter()
    count_round(round_, projects, ballots)
    counted = time.perf_counter()
    return {"ledger checkpoint": chained - started, "read ballots": loaded - chained,
            "rule + Pabulib file": counted - loaded}


async def run(args: argparse.Namespace) -> None:

    await harness.fresh_database(DATABASE)

    from budgets.closing import advance_rounds
    from budgets.tables import RoundResult
    from core.regions import load_regions, reference_regions
    from infra import database
    from infra.migrations import migrate
    from infra.settings import get_settings

    await migrate(get_settings())
    await database.start()
    try:
        await load_regions(reference_regions())
        print(f"machine: {os.cpu_count()} cores; PostgreSQL; {args.ballots:,} approval ballots of 1-5 projects, "
              f"{args.projects} projects; timed: budgets.closing.advance_rounds (close, count, publish)")
        for rule in args.rules:
            prepared = time.perf_counter()
            round_id = await prepare_round(rule, args.projects, args.ballots, args.seed)
            prepared = time.perf_counter() - prepared
            started = time.perf_counter()
            await advance_rounds(lease_seconds=600)
            elapsed = time.perf_counter() - started
            result = await RoundResult.select(RoundResult.voters, RoundResult.spent).where(
                RoundResult.round == round_id).first()
            if result is None or result["voters"] != args.ballots:
                raise SystemExit(f"round {round_id} was not published with {args.ballots} voters: {result}")
            target = TARGETS.get(rule)
            verdict = "" if target is None else f" (target < {target:.0f} s: {'met' if elapsed < target else 'MISSED'})"
            print(f"{rule:<10} close+count+publish {elapsed:6.2f} s{verdict}; spent {result['spent']:,} KZT; "
                  f"prepared in {prepared:.1f} s")
            for step, seconds in (await breakdown(round_id)).items():
                print(f"{'':<10}   {step:<20} {seconds:6.2f} s")
    finally:
        await database.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--rules", nargs="+", default=["greedy", "mes-add1"])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dauys-bench-"))
    os.environ.update({
        "DAUYS_DATABASE_URL": harness.database_url(DATABASE),
        "DAUYS_SECRET_KEY": secrets.token_urlsafe(48),
        "DAUYS_SMS_BACKEND": f"file:{work / 'outbox.jsonl'}",
        "DAUYS_ENV": "test",
    })
    os.environ.pop("DAUYS_REDIS_URL", None)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
