"""A server process killed with SIGKILL while 50 residents vote loses no ballot it acknowledged."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter

import pytest

from tests.faults.steps import (
    Answers,
    account_for,
    keep_voting,
    one_counted_per_voter,
    open_round,
    residents,
    sql,
    staff_headers,
)
from tests.servers import Server
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres

VOTERS = 50


async def test_kill_9_during_voting_loses_no_acknowledged_ballot(environment, sms_outbox, tmp_path):
    database = environment["DAUYS_DATABASE_URL"]
    server = Server(tmp_path, env=environment).start()
    try:
        async with server.client() as client:
            round_id, projects = await open_round(client, database, [10, 20, 30, 40, 50], budget=100)
            voters = await residents(client, sms_outbox, VOTERS)

        answers, stop = Answers(), asyncio.Event()
        voting = [asyncio.create_task(keep_voting(server.url, voter, round_id, projects, stop, answers,
                                                  pause=0.2, limit=25)) for voter in voters]
        await wait_for(lambda: len(answers.receipts) >= 3 * VOTERS, what="ballots flowing")
        server.stop(signal.SIGKILL)
        # Every voter still voting meets the dead server: its connection is refused or reset.
        await wait_for(lambda: answers.resets >= VOTERS or all(task.done() for task in voting),
                       what="the voters meeting the killed server")
        stop.set()
        await asyncio.gather(*voting)
        assert answers.resets, "the kill came after voting ended: it tested nothing"
        assert set(answers.statuses) == {200}, answers.statuses

        server.start()
        async with server.client() as client:
            await account_for(client, round_id, {"around the kill": answers})
            await one_counted_per_voter(database, round_id, answers.receipts)

            # The counts published after the restart are exactly those of the stored counted ballots.
            closed = await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=await staff_headers(client))
            assert closed.status_code == 200, closed.text

            async def published():
                answer = await client.get(f"/api/v1/rounds/{round_id}/results")
                return answer.json() if answer.status_code == 200 else None

            results = await wait_for(published, what="results published after closing")
        stored = await sql(database, "SELECT choices FROM ballot WHERE round = $1 AND status = 'counted'", round_id)
        everyone = await sql(database, "SELECT count(DISTINCT voter) AS n FROM ballot WHERE round = $1", round_id)
        votes = Counter(pid for row in stored for pid, _ in json.loads(row["choices"]))
        assert results["voters"] == len(stored) == everyone[0]["n"]
        assert {p["project_id"]: p["votes"] for p in results["projects"]} == {p: votes[p] for p in projects}
    finally:
        server.stop()
