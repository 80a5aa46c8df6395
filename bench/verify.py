"""What `dauys verify` costs on a big published round: its checks' time and memory, download apart.

    .venv/bin/python bench/verify.py [--ballots 10000 100000] [--projects 100] [--rules greedy mes-add1]

Runs on PostgreSQL (DAUYS_BENCH_POSTGRES_URL; default the local server) in a fresh database
`dauys_bench_verify`. For each size and rule it creates a round with the real round and project
functions, loads the ballots with COPY (one resident in ten changed their mind, so the ledger also holds
superseded revisions), publishes it through `budgets.closing.advance_rounds` (the scheduler's own pass,
which also fixes the close's checkpoint), starts `dauys serve` on the database and downloads the
documents as the command does. The checks then run in a fresh process on the saved documents, so that
its peak resident memory (VmHWM) is that of one verification: the documents, their decoding and the
recount. The target is the issue's: under 10 s for 100,000 ballots, download excluded.

Ballots are approval ballots of 1 to 5 projects with skewed popularity from a fixed seed (the same
generator as bench/publication.py), so that runs compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.publication import make_ballots  # noqa: E402

DATABASE = "dauys_bench_verify"
REGION = "751110000"
TARGET_SECONDS = 10.0
CHANGED_MIND = 10  # one voter in this many cast twice


async def prepare_round(rule: str, projects: int, ballots: int, seed: int) -> int:
    import asyncpg

    from budgets.ballots import VoteRules
    from budgets.rounds import RoundDraft, add_project, create_round
    from budgets.tables import Round

    now = datetime.now(UTC)
    costs = random.Random(seed + 1)
    round_ = await create_round("bench", RoundDraft(
        region=REGION, title={"ru": f"Проверка: {rule}"}, description={}, budget=300_000_000, rule=rule,
        min_age=18, vote=VoteRules("approval", 1, 5), voting_opens_at=now + timedelta(hours=1),
        voting_closes_at=now + timedelta(days=1), auto_publish=True,
    ))
    round_id = round_.id
    project_ids = []
    for number in range(projects):
        project = await add_project("bench", round_id, {"ru": f"Проект {number}"}, {},
                                    costs.randrange(1_000_000, 30_000_000, 1000), None)
        project_ids.append(project.id)
    first_cast = now - timedelta(minutes=50)
    records = []
    for number, choices in enumerate(make_ballots(ballots, project_ids, seed)):
        voter = secrets.token_hex(32)
        # Distinct times a millisecond apart keep the ledger's order (cast_at, then id) meaningful.
        cast_at = first_cast + timedelta(milliseconds=number)
        if number % CHANGED_MIND == 0:
            records.append((round_id, voter, 1, secrets.token_urlsafe(18), json.dumps(choices[:1]), cast_at,
                            "superseded", "mobile"))
            cast_at += timedelta(microseconds=500)
            records.append((round_id, voter, 2, secrets.token_urlsafe(18), json.dumps(choices), cast_at,
                            "counted", "mobile"))
        else:
            records.append((round_id, voter, 1, secrets.token_urlsafe(18), json.dumps(choices), cast_at,
                            "counted", "mobile"))
    connection = await asyncpg.connect(harness.database_url(DATABASE))
    try:
        await connection.copy_records_to_table(
            "ballot", records=records,
            columns=["round", "voter", "revision", "receipt", "choices", "cast_at", "status", "channel"],
        )
        await connection.execute("VACUUM ANALYZE ballot")
    finally:
        await connection.close()
    await Round.update({Round.voting_opens_at: now - timedelta(hours=1),
                        Round.voting_closes_at: now - timedelta(seconds=1)}).where(Round.id == round_id)
    return round_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (work / "server.log").open("ab")
    # A long scheduler interval: the rounds are published already, the server only answers downloads.
    env = {**os.environ, "DAUYS_SCHEDULER_INTERVAL": "3600"}
    process = subprocess.Popen([str(Path(sys.executable).with_name("dauys")), "serve", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(150):
        try:
            if httpx.get(f"{url}/api/v1/ready", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"dauys serve did not start: {(work / 'server.log').read_text()[-2000:]}")


def high_water_kb() -> int:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that across exec from the
    forked parent, which here holds the whole round's ballots."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker(folder: str, round_id: int) -> None:
    """Verify saved documents in this fresh process and print the figures as JSON."""
    from budgets.verification import PublicDocuments, verify

    base = Path(folder)
    documents = PublicDocuments(
        round=(base / "round.json").read_bytes(), results=(base / "results.json").read_bytes(),
        pabulib=(base / "results.pb").read_text(encoding="utf-8"), ledger=(base / "ledger.json").read_bytes(),
        invalidations=(base / "invalidations.json").read_bytes())
    before = high_water_kb()
    started = time.perf_counter()
    report = verify(round_id, documents)
    elapsed = time.perf_counter() - started
    peak = high_water_kb()
    print(json.dumps({"ok": report.ok, "seconds": elapsed, "rss_before_kb": before, "rss_peak_kb": peak,
                      "checks": [(c.name, c.ok, c.seconds, c.detail) for c in report.checks]}))


async def run(args: argparse.Namespace, work: Path) -> None:

    await harness.fresh_database(DATABASE)

    from budgets.closing import advance_rounds
    from core.regions import load_regions, reference_regions
    from infra import database
    from infra.migrations import migrate
    from infra.settings import get_settings
    from server.commands.verify import download

    await migrate(get_settings())
    await database.start()
    rounds = []
    try:
        await load_regions(reference_regions())
        for ballots in args.ballots:
            for rule in args.rules:
                round_id = await prepare_round(rule, args.projects, ballots, args.seed)
                await advance_rounds(lease_seconds=600)
                rounds.append((ballots, rule, round_id))
    finally:
        await database.stop()

    print(f"machine: {os.cpu_count()} cores; PostgreSQL; approval ballots of 1-5 projects over {args.projects} "
          f"projects, one voter in {CHANGED_MIND} cast twice; timed: budgets.verification.verify on the "
          "downloaded documents, in a fresh process")
    process, url = serve(work)
    try:
        for ballots, rule, round_id in rounds:
            started = time.perf_counter()
            documents = await asyncio.to_thread(download, url, round_id, None, 1024 * 1024 * 1024, 120.0)
            fetched = time.perf_counter() - started
            folder = work / f"round-{round_id}"
            folder.mkdir()
            for name, body in (("round.json", documents.round), ("results.json", documents.results),
                               ("ledger.json", documents.ledger), ("invalidations.json", documents.invalidations)):
                (folder / name).write_bytes(body)
            (folder / "results.pb").write_text(documents.pabulib, encoding="utf-8")
            megabytes = (len(documents.ledger) + len(documents.pabulib.encode())) / 1e6
            done = subprocess.run([sys.executable, __file__, "--worker", str(folder), str(round_id)],
                                  capture_output=True, text=True, check=True)
            figures = json.loads(done.stdout)
            if not figures["ok"]:
                raise SystemExit(f"round {round_id} did not verify: {figures['checks']}")
            verdict = "" if ballots != 100_000 else (
                f" (target < {TARGET_SECONDS:.0f} s: {'met' if figures['seconds'] < TARGET_SECONDS else 'MISSED'})")
            print(f"{ballots:>8,} ballots {rule:<9} verify {figures['seconds']:6.2f} s{verdict}; peak RSS "
                  f"{figures['rss_peak_kb'] / 1024:5.0f} MB ({figures['rss_before_kb'] / 1024:.0f} MB with the "
                  f"documents loaded); download {megabytes:.1f} MB in {fetched:.1f} s")
            for name, _, seconds, _ in figures["checks"]:
                print(f"{'':<28}{name:<28} {seconds:6.2f} s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--rules", nargs="+", default=["greedy", "mes-add1"])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dauys-bench-verify-"))
    os.environ.update({
        "DAUYS_DATABASE_URL": harness.database_url(DATABASE),
        "DAUYS_SECRET_KEY": secrets.token_urlsafe(48),
        "DAUYS_SMS_BACKEND": f"file:{work / 'outbox.jsonl'}",
        "DAUYS_ENV": "test",
    })
    os.environ.pop("DAUYS_REDIS_URL", None)
    asyncio.run(run(args, work))


if __name__ == "__main__":
    main()
