"""What the benchmarks share: a fresh PostgreSQL database, eligible voters with their tokens, `dauys serve` in a
subprocess and wrk driving `PUT /ballot` at it. Benchmarks import this, never anything from tests/.

Fast path for preparing voters (documented, not a shortcut in what is measured): residents are written
straight into the `resident` table with the same columns the sign-in and residency endpoints write (phone,
keyed IIN hash, birth date, region), and their access tokens are signed with the same key and function the
token endpoint uses. Every measured ballot then goes through the full ballot path: token check,
eligibility, vote rules, the database-clock transaction and the receipt.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PG = os.environ.get("DAUYS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("DAUYS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
WRK_THREADS = 2

# wrk prints the 50th, 75th, 90th and 99th percentiles; the 95th is asked of its histogram.
REPORT = """
function report(latency)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("percentile %d: %d us\\n", p, latency:percentile(p)))
  end
end
"""

BALLOT_LUA = """
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


async def fresh_database(name: str) -> None:
    """Drop and create `name` on the benchmark's server, so that every run starts from nothing."""
    import asyncpg

    admin = await asyncpg.connect(PG)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


@dataclass(frozen=True)
class VotingRound:
    round_id: int
    projects: list[int]
    # One access token per voter, signed as the token endpoint signs them.
    tokens: list[str]


async def voting_round(voters: int, region: str, phone_prefix: str = "+7705") -> VotingRound:
    """A round of `region` taking votes (10 projects, approval of 1 to 3) and `voters` registered residents of
    it; call with the database started and migrated."""
    from budgets.ballots import VoteRules
    from budgets.rounds import RoundDraft, add_project, create_round
    from budgets.tables import Round
    from core.iin import synthetic_iin
    from core.residents import iin_digest
    from core.tables import Resident
    from infra import tokens
    from infra.settings import get_settings

    settings = get_settings()
    now = datetime.now(UTC)
    round_ = await create_round("bench", RoundDraft(
        region=region, title={"ru": "Нагрузочный раунд"}, description={}, budget=100_000_000, rule="greedy",
        min_age=18, vote=VoteRules("approval", 1, 3), voting_opens_at=now + timedelta(hours=1),
        voting_closes_at=now + timedelta(days=1), auto_publish=True,
    ))
    projects = []
    for number in range(10):
        project = await add_project("bench", round_.id, {"ru": f"Проект {number}"}, {}, 5_000_000 + number, None)
        projects.append(project.id)
    await Round.update({Round.voting_opens_at: now - timedelta(seconds=1)}).where(Round.id == round_.id)

    rows, serial = [], 0
    while len(rows) < voters:
        serial += 1
        born = date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28)
        iin = synthetic_iin(born, serial % 2 == 0, serial)
        if iin is None:
            continue
        rows.append(Resident(phone=f"{phone_prefix}{len(rows):07d}", iin_hash=iin_digest(settings.secret_key, iin),
                             birth_date=born, region=region, language="ru", created_at=now))
    for start in range(0, len(rows), 1000):
        await Resident.insert(*rows[start:start + 1000])
    ids = [r["id"] for r in await Resident.select(Resident.id).where(Resident.phone.like(f"{phone_prefix}%"))
           .order_by(Resident.id)]
    access = [tokens.issue(settings.secret_key, tokens.RESIDENT, rid, 3 * 3600) for rid in ids]
    return VotingRound(round_.id, projects, access)


def ballot_script(work: Path, voting: VotingRound) -> Path:
    """The wrk script that casts ballots in `voting`'s round, one voter after another."""
    (work / "tokens.txt").write_text("\n".join(voting.tokens) + "\n")
    script = work / "ballot.lua"
    script.write_text(REPORT + BALLOT_LUA % {
        "tokens": str(work / "tokens.txt"),
        "projects": ",".join(str(p) for p in voting.projects),
        "path": f"/api/v1/rounds/{voting.round_id}/ballot",
        "threads": WRK_THREADS,
    })
    return script


def flush_redis() -> None:
    """Fresh rate-limit counters: each benchmark voter casts far more often than any person does, and the
    per-resident limit (30 ballots in 10 minutes) would refuse them."""
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True, capture_output=True)


def server_environment(database: str, outbox: Path, secret_key: str) -> dict[str, str]:
    return {
        # The load comes from one address, 127.0.0.1: lift the per-address ceiling (a flood guard sized
        # for a carrier's NAT) so that what is measured is the ballot path, not the limiter's refusals.
        # The per-resident and per-device limits stay as in production.
        "DAUYS_BALLOTS_PER_ADDRESS_MINUTE": "10000000",
        "DAUYS_DATABASE_URL": database_url(database),
        "DAUYS_REDIS_URL": REDIS,
        "DAUYS_SECRET_KEY": secret_key,
        "DAUYS_SMS_BACKEND": f"file:{outbox}",
        "DAUYS_ENV": "test",
    }


def start_server(work: Path, workers: int) -> tuple[subprocess.Popen, str]:
    """`dauys serve` with `workers` processes on a free-ish port, once it answers /ready; its log in `work`."""
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("dauys")), "serve", "--port", str(port), "--workers", str(workers)],
        stdout=(work / "server.log").open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if subprocess.run(["curl", "-sf", f"{base}/api/v1/ready"], capture_output=True).returncode == 0:
            break
        time.sleep(0.2)
    else:
        server.terminate()
        raise RuntimeError(f"dauys serve did not answer; see {work / 'server.log'}")
    return server, base


def _wrk_command(clients: int, duration: int, script: Path) -> list[str]:
    return ["wrk", f"-t{WRK_THREADS}", f"-c{clients}", f"-d{duration}s", "--timeout", "10s", "-s", str(script)]


def _figures(output: str, statuses_counted_by_script: bool) -> dict:
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "errors": 0,
               "requests": int(re.search(r"(\d+) requests in", output).group(1))}
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


def wrk(url: str, clients: int, duration: int, script: Path, statuses_counted_by_script: bool) -> dict:
    """Requests per second, p50/p95/p99 in ms, errors and requests of one wrk run, and the CPU wrk used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(_wrk_command(clients, duration, script) + [url], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode:
        raise RuntimeError(f"wrk failed: {run.stderr or run.stdout}")
    figures = _figures(run.stdout, statuses_counted_by_script)
    figures["wrk_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return figures


class WrkWhile:
    """wrk running until stopped (`stop()` interrupts it, and wrk reports what it did until then): the load
    next to something whose length is not known beforehand."""

    LONGEST = 3600

    def __init__(self, url: str, clients: int, script: Path, statuses_counted_by_script: bool = True):
        self.statuses_counted_by_script = statuses_counted_by_script
        self.process = subprocess.Popen(_wrk_command(clients, self.LONGEST, script) + [url], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def stop(self) -> dict:
        self.process.send_signal(signal.SIGINT)
        output, errors = self.process.communicate(timeout=60)
        if "Requests/sec" not in output:
            raise RuntimeError(f"wrk failed: {errors or output}")
        return _figures(output, self.statuses_counted_by_script)
