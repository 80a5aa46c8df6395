"""PostgreSQL restarted while residents vote: 503 with Retry-After meanwhile, never 500, and back by itself."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.steps import Answers, keep_voting, one_counted_per_voter, open_round, receipts_kept, residents
from tests.servers import Server

pytestmark = pytest.mark.postgres

VOTERS = 20
DOWN_SECONDS = 4
BACK_WITHIN = 10


async def test_postgres_restart_answers_503_then_serves_again(private_postgres, environment, sms_outbox,
                                                               tmp_path):
    database = environment["DAUYS_DATABASE_URL"]
    server = Server(tmp_path, env=environment).start()
    try:
        async with server.client() as client:
            round_id, projects = await open_round(client, database, [10, 20, 30, 40], budget=100)
            voters = await residents(client, sms_outbox, VOTERS)

            before, down, after = Answers(), Answers(), Answers()

            async def phase(answers: Answers, seconds: float) -> None:
                stop = asyncio.Event()
                voting = [asyncio.create_task(keep_voting(server.url, voter, round_id, projects, stop, answers,
                                                          pause=0.5, limit=8)) for voter in voters]
                await asyncio.sleep(seconds)
                stop.set()
                await asyncio.gather(*voting)

            await phase(before, 2)
            private_postgres.stop()
            try:
                await phase(down, DOWN_SECONDS)
                ready = await client.get("/api/v1/ready")
                assert ready.status_code == 503 and ready.headers["retry-after"].isdigit(), ready.text
            finally:
                private_postgres.start()
            back = time.monotonic()
            await phase(after, BACK_WITHIN)

            assert set(before.statuses) == {200}, before.statuses
            # While the database is down every ballot is refused with 503 and a Retry-After, none with 500.
            assert down.statuses[503] and set(down.statuses) == {503}, down.statuses
            assert down.missing_retry_after == 0
            # Back without a restart of Dauys: the pool reconnects within seconds of the database's return.
            assert set(after.statuses) <= {200, 503}, after.statuses
            assert after.first_ok is not None and after.first_ok - back < BACK_WITHIN, after.statuses
            assert (await client.get("/api/v1/ready")).status_code == 200
            assert server.process.poll() is None

            await receipts_kept(client, round_id, before.receipts + after.receipts)
        await one_counted_per_voter(database, round_id, before.receipts + after.receipts)
    finally:
        server.stop()
    assert "unhandled error" not in server.log_path.read_text(), "a request failed with a 500"
