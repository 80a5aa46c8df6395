"""Steps the fault tests share: the CLI, a round open for voting, residents, voters that keep voting."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from server.demo import demo_content
from tests.helpers import bearer, resident, round_body
from tests.waiting import wait_for

ALMALY = "751110000"
# A ballot request unanswered this long has hung: the voter's phone would have given up on it.
HUNG_AFTER = 10


def dauys(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([str(Path(sys.executable).with_name("dauys")), *arguments], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"dauys {' '.join(arguments)}: {done.stdout}{done.stderr}"
    return done.stdout


async def staff_headers(client: httpx.AsyncClient) -> dict[str, str]:
    """The demo's Almaly admin (`dauys demo` made it)."""
    account = next(a for a in demo_content()["staff"] if a["region"] == ALMALY)
    answer = await client.post("/api/v1/admin/session", json={"email": account["email"],
                                                              "password": account["password"]})
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


async def open_round(client: httpx.AsyncClient, database_url: str, costs: list[int],
                     **overrides) -> tuple[int, list[int]]:
    """A round of Almaly with projects of these costs, open for voting from now on."""
    staff = await staff_headers(client)
    created = await client.post("/api/v1/admin/rounds", json=round_body(ALMALY, **overrides), headers=staff)
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    project_ids = []
    for number, cost in enumerate(costs, start=1):
        answer = await client.post(f"/api/v1/admin/rounds/{round_id}/projects", headers=staff,
                                   json={"title": {"ru": f"Проект {number}", "kk": f"Жоба {number}"}, "cost": cost})
        assert answer.status_code == 201, answer.text
        project_ids.append(answer.json()["id"])
    # Projects can only be added before voting opens: move the opening to now, as the clock would.
    await sql(database_url, "UPDATE round SET voting_opens_at = now() - interval '1 second' WHERE id = $1", round_id)
    return round_id, project_ids


async def residents(client: httpx.AsyncClient, outbox: Path, count: int) -> list[dict]:
    """Residents of Almaly signed in by SMS code and registered with an IIN, through the real endpoints."""
    return [await resident(client, outbox, ALMALY) for _ in range(count)]


async def sql(database_url: str, statement: str, *args) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetch(statement, *args)
    finally:
        await connection.close()


@dataclass
class Answers:
    """What became of each ballot request: acknowledged with a receipt, refused with a clean status,
    its connection refused or reset (the server was gone), or unanswered within HUNG_AFTER (hung)."""

    receipts: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    missing_retry_after: int = 0
    resets: int = 0
    timed_out: int = 0

    def summary(self, lost: int | None = None) -> str:
        refused = {status: n for status, n in sorted(self.statuses.items()) if status != 200}
        told = (f"{len(self.receipts)} acknowledged, {sum(refused.values())} clean error statuses {refused}, "
                f"{self.resets} connections refused or reset, {self.timed_out} timed out after {HUNG_AFTER} s")
        return told if lost is None else f"{told}, {lost} acknowledged ballots lost"


async def keep_voting(url: str, voter: dict, round_id: int, project_ids: list[int], stop: asyncio.Event,
                      answers: Answers, pause: float, limit: int) -> None:
    """Cast ballot after ballot (each a new revision) until `stop`, at most `limit` times.

    Pauses keep every voter below the per-resident ballot limit, so a 429 never muddles what is tested.
    """
    chooser = random.Random(voter["access_token"])
    async with httpx.AsyncClient(base_url=url, timeout=HUNG_AFTER, headers=voter["headers"]) as client:
        for _ in range(limit):
            if stop.is_set():
                return
            choices = [{"project_id": p} for p in chooser.sample(project_ids, chooser.randint(1, 3))]
            try:
                answer = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": choices})
            except httpx.TimeoutException:
                answers.timed_out += 1
            except httpx.TransportError:
                answers.resets += 1
            else:
                answers.statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    answers.receipts.append(answer.json()["receipt"])
                elif answer.status_code == 503 and not answer.headers.get("retry-after", "").isdigit():
                    answers.missing_retry_after += 1
            await asyncio.sleep(pause * (0.5 + chooser.random()))


async def lost_ballots(client: httpx.AsyncClient, round_id: int, receipts: list[str]) -> list[str]:
    """Acknowledged ballots not found by their receipt as counted or superseded by a later revision."""
    lost = []
    for receipt in receipts:
        answer = await client.get(f"/api/v1/receipts/{receipt}")
        if not (answer.status_code == 200 and answer.json()["round_id"] == round_id
                and answer.json()["status"] in ("counted", "superseded")):
            lost.append(f"{receipt}: {answer.status_code} {answer.text[:200]}")
    return lost


async def account_for(client: httpx.AsyncClient, round_id: int, phases: dict[str, Answers]) -> None:
    """Print what became of every request of each phase; none hung, and no acknowledged ballot is lost."""
    assert any(answers.receipts for answers in phases.values()), "no ballot was acknowledged: the test proved nothing"
    for name, answers in phases.items():
        lost = await lost_ballots(client, round_id, answers.receipts)
        print(f"{name}: {answers.summary(len(lost))}")
        assert answers.timed_out == 0, f"{name}: {answers.timed_out} ballot requests hung past {HUNG_AFTER} s"
        assert not lost, f"{name}: acknowledged ballots lost: {lost}"


async def one_counted_per_voter(database_url: str, round_id: int, receipts: list[str]) -> None:
    """Each voter who was acknowledged has exactly one counted ballot (principle 2)."""
    rows = await sql(database_url, """
        SELECT b.voter, count(DISTINCT c.id) AS counted FROM ballot b
        LEFT JOIN ballot c ON c.round = b.round AND c.voter = b.voter AND c.status = 'counted'
        WHERE b.round = $1 AND b.receipt = ANY($2::text[]) GROUP BY b.voter""", round_id, receipts)
    assert rows and all(row["counted"] == 1 for row in rows), [dict(r) for r in rows]



async def voting_until(url: str, voters: list[dict], round_id: int, project_ids: list[int], answers: Answers,
                       until, what: str, pause: float, limit: int) -> None:
    """Let `voters` keep voting until `until()` holds, then stop them; fails if a request hung, or if they
    ran out of ballots first."""
    stop = asyncio.Event()
    voting = [asyncio.create_task(keep_voting(url, voter, round_id, project_ids, stop, answers, pause, limit))
              for voter in voters]
    try:
        await wait_for(lambda: until() or answers.timed_out or all(task.done() for task in voting), what=what)
    finally:
        stop.set()
        await asyncio.gather(*voting)
    assert not answers.timed_out, f"ballot requests hung past {HUNG_AFTER} s while waiting for {what}: " \
                                  f"{answers.summary()}"
    assert until(), f"never happened: {what} (the voters sent their {limit} ballots each first): {answers.summary()}"
