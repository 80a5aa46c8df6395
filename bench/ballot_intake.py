"""What a ballot costs: `PUT /api/v1/rounds/{id}/ballot` under concurrent clients, next to the health check.

    .venv/bin/python bench/ballot_intake.py [--residents 5000] [--clients 50 200] [--duration 30] [--workers 2]
                                            [--repeat 1] [--profile DIR]

Runs against PostgreSQL and Redis (DAUYS_BENCH_POSTGRES_URL, DAUYS_BENCH_REDIS_URL; defaults are the local
servers), in a fresh database `dauys_bench`, with `dauys serve` in a subprocess and wrk as the load
generator, all on 127.0.0.1. For each number of clients it prints requests per second, p50/p95/p99
latency and errors for both endpoints, their ratio, and the CPU milliseconds each request cost the server
processes, PostgreSQL, Redis and wrk (read from /proc): on a machine whose cores these share, and that
may itself share a host, the CPU figures move less from run to run than the rates.

Fast path for preparing residents (documented, not a shortcut in what is measured): residents are
written straight into the `resident` table with the same columns the sign-in and residency endpoints
write (phone, keyed IIN hash, birth date, region), and their access tokens are signed with the same key
and function the token endpoint uses. Every measured request then goes through the full ballot path:
token check, eligibility, vote rules, the database-clock transaction and the receipt.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("DAUYS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("DAUYS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DATABASE = "dauys_bench"
WRK_THREADS = 2
REGION = "751110000"

# wrk prints the 50th, 75th, 90th and 99th percentiles; the 95th is asked of its histogram.
REPORT = """
function report(latency)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("percentile %d: %d us\\n", p, latency:percentile(p)))
  end
end
"""
HEALTH_LUA = """
function done(summary, latency, requests) report(latency) end
"""

LUA = """
local tokens = {}
for line in io.lines("%(tokens)s") do table.insert(tokens, line) end
local projects = {%(projects)s}
local counter = 0
errors = {}
thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Each thread starts at its own share of the residents, so no two threads cast for one resident at the
  -- same moment (real residents do not vote twice in the same millisecond; the tests cover that case).
  counter = thread_id * math.floor(#tokens / %(threads)d)
end

function request()
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  local a = projects[(counter %% #projects) + 1]
  local b = projects[((counter * 7 + 3) %% #projects) + 1]
  local body
  if a == b then
    body = '{"choices":[{"project_id":' .. a .. '}]}'
  else
    body = '{"choices":[{"project_id":' .. a .. '},{"project_id":' .. b .. '}]}'
  end
  -- Like the mobile app, every new ballot carries its own Idempotency-Key (a retry would repeat it).
  return wrk.format("PUT", "%(path)s", {["Authorization"] = "Bearer " .. token,
                                         ["Content-Type"] = "application/json",
                                         ["Idempotency-Key"] = thread_id .. "-" .. counter}, body)
end

function response(status, headers, body)
  if status ~= 200 then
    errors[status] = (errors[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local e = thread:get("errors")
    for status, n in pairs(e) do
      io.write(string.format("status %%d: %%d\\n", status, n))
    end
  end
  report(latency)
end
"""


def database_url(name: str) -> str:
    return PG.rsplit("/", 1)[0] + "/" + name


async def prepare(residents: int) -> tuple[int, list[int], list[str]]:
    import asyncpg

    admin = await asyncpg.connect(PG)
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()

    from budgets.ballots import VoteRules
    from budgets.rounds import RoundDraft, add_project, create_round
    from budgets.tables import Round
    from core.iin import synthetic_iin
    from core.regions import load_regions, reference_regions
    from core.residents import iin_digest
    from core.tables import Resident
    from infra import database, tokens
    from infra.migrations import migrate
    from infra.settings import get_settings

    settings = get_settings()
    await migrate(settings)
    await database.start()
    await load_regions(reference_regions())
    now = datetime.now(UTC)
    round_ = await create_round("bench", RoundDraft(
        region=REGION, title={"ru": "Нагрузочный раунд"}, description={}, budget=100_000_000, rule="greedy",
        min_age=18, vote=VoteRules("approval", 1, 3), voting_opens_at=now + timedelta(hours=1),
        voting_closes_at=now + timedelta(days=1), auto_publish=True,
    ))
    projects = []
    for number in range(10):
        project = await add_project("bench", round_.id, {"ru": f"Проект {number}"}, {}, 5_000_000 + number, None)
        projects.append(project.id)
    await Round.update({Round.voting_opens_at: now - timedelta(seconds=1)}).where(Round.id == round_.id)

    rows, serial = [], 0
    while len(rows) < residents:
        serial += 1
        iin = synthetic_iin(date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28), serial % 2 == 0, serial)
        if iin is None:
            continue
        rows.append(Resident(phone=f"+7705{len(rows):07d}", iin_hash=iin_digest(settings.secret_key, iin),
                             birth_date=date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28),
                             region=REGION, language="ru", created_at=now))
    for start in range(0, len(rows), 1000):
        await Resident.insert(*rows[start:start + 1000])
    ids = [r["id"] for r in await Resident.select(Resident.id).order_by(Resident.id)]
    access = [tokens.issue(settings.secret_key, tokens.RESIDENT, rid, 3 * 3600) for rid in ids]
    await database.stop()
    return round_.id, projects, access


def wrk(url: str, clients: int, duration: int, script: Path, statuses_counted_by_script: bool) -> dict:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{clients}", f"-d{duration}s", "--timeout", "10s", "-s", str(script)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(command + [url], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode:
        raise RuntimeError(f"wrk failed: {run.stderr or run.stdout}")
    output = run.stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "errors": 0,
               "requests": int(re.search(r"(\d+) requests in", output).group(1)),
               "wrk_cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}
    for percentile in (50, 95, 99):
        figures[f"p{percentile}"] = int(re.search(rf"percentile {percentile}: (\d+) us", output).group(1)) / 1000
    figures["errors"] += sum(int(n) for n in re.findall(r"status \d+: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        figures["errors"] += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx and not statuses_counted_by_script:
        figures["errors"] += int(non_2xx.group(1))
    return figures


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
    figures = wrk(url, clients, duration, script, statuses_counted_by_script)
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
    # Each resident of the benchmark casts far more often than any person does: start every run with
    # fresh rate-limit counters, or the per-resident limit (30 ballots in 10 minutes) refuses them.
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True, capture_output=True)
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
    os.environ.update({
        # The load comes from one address, 127.0.0.1: lift the per-address ceiling (a flood guard sized
        # for a carrier's NAT) so that what is measured is the ballot path, not the limiter's refusals.
        # The per-resident and per-device limits stay as in production.
        "DAUYS_BALLOTS_PER_ADDRESS_MINUTE": "10000000",
        "DAUYS_DATABASE_URL": database_url(DATABASE),
        "DAUYS_REDIS_URL": REDIS,
        "DAUYS_SECRET_KEY": secrets.token_urlsafe(48),
        "DAUYS_SMS_BACKEND": f"file:{work / 'outbox.jsonl'}",
        "DAUYS_ENV": "test",
    })
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True, capture_output=True)
    round_id, projects, access = asyncio.run(prepare(args.residents))
    (work / "tokens.txt").write_text("\n".join(access) + "\n")
    script = work / "ballot.lua"
    health_script = work / "health.lua"
    health_script.write_text(HEALTH_LUA + REPORT)
    script.write_text(REPORT + LUA % {
        "tokens": str(work / "tokens.txt"),
        "projects": ",".join(str(p) for p in projects),
        "path": f"/api/v1/rounds/{round_id}/ballot",
        "threads": WRK_THREADS,
    })
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("dauys")), "serve", "--port", str(port), "--workers", str(args.workers)],
        stdout=(work / "server.log").open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if subprocess.run(["curl", "-sf", f"{base}/api/v1/ready"], capture_output=True).returncode == 0:
                break
            asyncio.run(asyncio.sleep(0.2))
        print(f"machine: {os.cpu_count()} cores; dauys serve --workers {args.workers}; PostgreSQL + Redis; "
              f"{len(access)} residents; wrk -t{WRK_THREADS}, {args.duration} s per run")
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
