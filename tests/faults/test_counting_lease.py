"""Two server processes and their schedulers: the one counting a round is killed mid-count.

The other takes the count over when the lease runs out, and the round is published exactly once.
Counting is made long by the round itself (mes-add1 over tens of thousands of ballots), not by a
test-only switch in the code.
"""

from __future__ import annotations

import json
import random
import secrets
import signal
from pathlib import Path

import asyncpg
import pytest

from tests.faults.steps import open_round, sql
from tests.servers import Server
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres

BALLOTS = 40_000
PROJECTS = 60
LEASE_SECONDS = 5


async def load_ballots(database_url: str, round_id: int, project_ids: list[int]) -> None:
    """Ballots as the ballot path stores them, loaded with COPY: voting itself is not under test here."""
    chooser = random.Random(7)
    weights = [1 / (rank + 1) for rank in range(len(project_ids))]
    rows = []
    for _ in range(BALLOTS):
        picked = sorted(set(chooser.choices(project_ids, weights, k=chooser.randint(1, 3))))
        rows.append((round_id, secrets.token_hex(32), 1, secrets.token_urlsafe(18),
                     json.dumps([[pid, 1] for pid in picked]), "counted", "mobile"))
    connection = await asyncpg.connect(database_url)
    try:
        await connection.copy_records_to_table(
            "ballot", records=rows, columns=["round", "voter", "revision", "receipt", "choices", "status", "channel"]
        )
        await connection.execute("UPDATE ballot SET cast_at = now() WHERE round = $1", round_id)
    finally:
        await connection.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


# CPU work that only counting does: the idle process spends a few milliseconds per sweep.
COUNTING_WORK = 0.5


async def counting_process(servers: list[Server]) -> Server:
    """The server doing the count: counting is pure computation, so its CPU time climbs while the other's
    stays nearly still between sweeps."""
    start = [cpu_seconds(s.process.pid) for s in servers]

    def one_counting() -> Server | None:
        used = [cpu_seconds(s.process.pid) - before for s, before in zip(servers, start)]
        (most, busiest), (next_most, _) = sorted(zip(used, range(len(servers))), reverse=True)[:2]
        return servers[busiest] if most >= COUNTING_WORK and most > 4 * next_most else None

    return await wait_for(one_counting, what="one process counting while the other idles", every=0.1)


async def test_counting_process_killed_mid_count_is_replaced_and_publishes_once(environment, tmp_path):
    database = environment["DAUYS_DATABASE_URL"]
    env = {**environment, "DAUYS_TALLY_LEASE_SECONDS": str(LEASE_SECONDS)}
    costs = random.Random(3)
    first = Server(tmp_path, env=env).start()
    second = Server(tmp_path, env=env).start()
    try:
        async with first.client() as client:
            round_id, projects = await open_round(
                client, database, [costs.randrange(1_000_000, 30_000_000, 1000) for _ in range(PROJECTS)],
                budget=300_000_000, rule="mes-add1")
        await load_ballots(database, round_id, projects)
        await sql(database, "UPDATE round SET voting_closes_at = now() WHERE id = $1", round_id)

        async def claimed():
            rows = await sql(database, "SELECT tally_claimed_until, tallied_at FROM round WHERE id = $1", round_id)
            return rows[0]["tally_claimed_until"] is not None and rows[0]

        claim = await wait_for(claimed, what="a process claims the count", every=0.1)
        assert claim["tallied_at"] is None
        counting = await counting_process([first, second])
        counting.stop(signal.SIGKILL)
        state = (await sql(database, "SELECT tallied_at FROM round WHERE id = $1", round_id))[0]
        assert state["tallied_at"] is None, "the count finished before the kill: make the round bigger"

        async def published():
            rows = await sql(database, "SELECT status, published_at FROM round WHERE id = $1", round_id)
            return rows[0]["status"] == "published" and rows[0]

        done = await wait_for(published, timeout=180, what="the surviving process publishes the round")
        # Taken over only once the dead process's lease had run out (both times by the database's clock).
        assert done["published_at"] > claim["tally_claimed_until"]
        survivor = second if counting is first else first
        assert survivor.process.poll() is None

        results = await sql(database, "SELECT voters FROM round_result WHERE round = $1", round_id)
        assert [r["voters"] for r in results] == [BALLOTS]
        for action in ("round.close", "round.tally", "round.publish"):
            entries = await sql(database, "SELECT id FROM audit_entry WHERE target = $1 AND action = $2",
                                f"round:{round_id}", action)
            assert len(entries) == 1, (action, len(entries))
    finally:
        first.stop()
        second.stop()
