"""What a ballot costs: `PUT /api/v1/rounds/{id}/ballot` under concurrent clients, next to the health check.

    .venv/bin/python bench/ballot_intake.py [--residents 5000] [--clients 50 200] [--duration 30] [--workers 2]
                                            [--repeat 1] [--profile DIR]

Runs against PostgreSQL and Redis (DAUYS_BENCH_POSTGRES_URL, DAUYS_BENCH_REDIS_URL; defaults are the local
servers), in a fresh database `dauys_bench`, with `dauys serve` in a subprocess and wrk as the load
generator, all on 127.0.0.1. For each number of clients it prints requests per second, p50/p95/p99
latency and errors for both endpoints, their ratio, and the CPU milliseconds each request cost the server
processes, PostgreSQL, Redis and wrk (read from /proc): on a machine whose cores these share, and that
may itself share a host, the CPU figures move less from run to run than the rates.

Voters are prepared as bench/harness.py says (the fast path it documents).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

DATABASE = "dauys_bench"
REGION = "751110000"
HEALTH_LUA = """
function done(summary, latency, requests) report(latency) end
"""


async def prepare(residents: int) -> harness.VotingRound:
    from core.regions import load_regions, reference_regions
    from infra import database
    from infra.migrations import migrate
    from infra.settings import get_settings

    await harness.fresh_database(DATABASE)
    await migrate(get_settings())
    await database.start()
    try:
        await load_regions(reference_regions())
        return await harness.voting_round(residents, REGION)
    finally:
        await database.stop()


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time used so far by the server's processes, PostgreSQL's and Redis's (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, used, names = {}, {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        pid = int(entry.name)
        parents[pid], names[pid] = int(fields[1]), name
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    totals = {"server": 0.0, "postgres": 0.0, "redis": 0.0}
    for pid, seconds in used.items():
        ancestor = pid
        while ancestor not in (0, 1, server_pid) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == server_pid:
            totals["server"] += seconds
        elif names[pid] == "postgres":
            totals["postgres"] += seconds
        elif names[pid].startswith("redis-server"):
            totals["redis"] += seconds
    return totals


def measure(server_pid: int, url: str, clients: int, duration: int, script: Path, statuses_counted_by_script: bool
            ) -> dict:
    before = cpu_seconds(server_pid)
    figures = harness.wrk(url, clients, duration, script, statuses_counted_by_script)
    after = cpu_seconds(server_pid)
    # Milliseconds of CPU per request, by part: where the machine's two cores go.
    figures["cpu"] = {part: 1000 * (after[part] - before[part]) / figures["requests"] for part in before}
    figures["cpu"]["wrk"] = 1000 * figures["wrk_cpu"] / figures["requests"]
    return figures


def profile(server_pid: int, folder: Path, duration: int) -> list[subprocess.Popen]:
    """py-spy on every worker of `dauys serve` (its child processes), as collapsed stacks for flame graphs."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        sys.exit("--profile needs py-spy: .venv/bin/pip install py-spy")
    folder.mkdir(parents=True, exist_ok=True)
    children = subprocess.run(["pgrep", "-P", str(server_pid)], capture_output=True, text=True).stdout.split()
    return [
        subprocess.Popen([spy, "record", "--pid", pid, "--duration", str(duration), "--rate", "200",
                          "--format", "raw", "--output", str(folder / f"worker-{pid}.txt")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for pid in children or [str(server_pid)]
    ]


def run_pair(server_pid: int, base: str, clients: int, args: argparse.Namespace, health_script: Path,
             script: Path, attempt: int) -> tuple[dict, dict]:
    """The health check, then ballots, with the same clients: one figure of each, measured back to back."""
    folder = args.profile / f"{clients}-{attempt}" if args.profile else None
    spies = profile(server_pid, folder / "health", args.duration) if folder else []
    health = measure(server_pid, f"{base}/api/v1/health", clients, args.duration, health_script, False)
    for spy in spies:
        spy.wait()
    harness.flush_redis()
    spies = profile(server_pid, folder / "ballot", args.duration) if folder else []
    ballot = measure(server_pid, base, clients, args.duration, script, True)
    for spy in spies:
        spy.wait()
    return health, ballot


def total_cpu(figures: dict) -> float:
    return sum(figures["cpu"].values())


def show(name: str, clients: int, figures: dict) -> None:
    cpu = figures["cpu"]
    print(f"{name:<14}{clients:>8}{figures['rps']:>9.0f}{figures['p50']:>8.1f}{figures['p95']:>8.1f}"
          f"{figures['p99']:>8.1f}{figures['errors']:>7}   {'':>20}{cpu['server']:>6.3f}"
          f"{cpu['postgres']:>9.3f}{cpu['redis']:>6.3f}{cpu['wrk']:>6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1,
                        help="alternate health and ballot runs this many times and print the medians too")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="record each server process with py-spy during every run (raw stacks in DIR)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    work = Path(tempfile.mkdtemp(prefix="dauys-bench-"))
    os.environ.update(harness.server_environment(DATABASE, work / "outbox.jsonl", secrets.token_urlsafe(48)))
    harness.flush_redis()
    voting = asyncio.run(prepare(args.residents))
    script = harness.ballot_script(work, voting)
    health_script = work / "health.lua"
    health_script.write_text(HEALTH_LUA + harness.REPORT)
    server, base = harness.start_server(work, args.workers)
    try:
        print(f"machine: {os.cpu_count()} cores; dauys serve --workers {args.workers}; PostgreSQL + Redis; "
              f"{len(voting.tokens)} residents; wrk -t{harness.WRK_THREADS}, {args.duration} s per run")
        print(f"{'endpoint':<14}{'clients':>8}{'req/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
              f"   CPU ms per request: {'server':>6}{'postgres':>9}{'redis':>6}{'wrk':>6}")
        for clients in args.clients:
            runs = [run_pair(server.pid, base, clients, args, health_script, script, attempt)
                    for attempt in range(args.repeat)]
            for health, ballot in runs:
                show("GET /health", clients, health)
                show("PUT /ballot", clients, ballot)
                print(f"{'ballot/health':<14}{clients:>8}{ballot['rps'] / health['rps']:>9.2f}"
                      f"   by CPU per request: {total_cpu(health) / total_cpu(ballot):.2f}")
            if args.repeat > 1:
                # The host lends these cores to others too: the medians of alternating runs move less.
                health = {key: statistics.median(h[key] for h, _ in runs) for key in ("rps", "p50", "p95", "p99")}
                ballot = {key: statistics.median(b[key] for _, b in runs) for key in ("rps", "p50", "p95", "p99")}
                errors = sum(h["errors"] + b["errors"] for h, b in runs)
                print(f"median of {args.repeat}, {clients} clients: health {health['rps']:.0f}/s; ballots "
                      f"{ballot['rps']:.0f}/s, p50 {ballot['p50']:.1f} p95 {ballot['p95']:.1f} "
                      f"p99 {ballot['p99']:.1f} ms; ballot/health {ballot['rps'] / health['rps']:.2f}; "
                      f"errors in all runs {errors}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
