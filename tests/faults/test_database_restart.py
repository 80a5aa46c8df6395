"""PostgreSQL restarted while residents vote: 503 with Retry-After meanwhile, never 500, and back by itself."""

from __future__ import annotations

import pytest

from tests.faults.steps import Answers, account_for, one_counted_per_voter, open_round, residents, voting_until
from tests.servers import Server

pytestmark = pytest.mark.postgres

VOTERS = 20


async def test_postgres_restart_answers_503_then_serves_again(private_postgres, environment, sms_outbox,
                                                               tmp_path):
    database = environment["DAUYS_DATABASE_URL"]
    server = Server(tmp_path, env=environment).start()
    try:
        async with server.client() as client:
            round_id, projects = await open_round(client, database, [10, 20, 30, 40], budget=100)
            voters = await residents(client, sms_outbox, VOTERS)

            before, down, after = Answers(), Answers(), Answers()

            async def phase(answers: Answers, until, what: str, limit: int) -> None:
                await voting_until(server.url, voters, round_id, projects, answers, until, what, pause=0.5,
                                   limit=limit)

            await phase(before, lambda: len(before.receipts) >= VOTERS, "ballots acknowledged before the restart", 8)
            private_postgres.stop()
            try:
                await phase(down, lambda: down.statuses[503] >= VOTERS, "ballots refused while PostgreSQL is down", 8)
                ready = await client.get("/api/v1/ready")
                assert ready.status_code == 503 and ready.headers["retry-after"].isdigit(), ready.text
            finally:
                private_postgres.start()
            # Back without a restart of Dauys: the pool reconnects while the voters are still trying.
            await phase(after, lambda: len(after.receipts) >= VOTERS, "ballots acknowledged after PostgreSQL is back",
                        12)

            assert set(before.statuses) == {200}, before.statuses
            # While the database is down every ballot is refused with 503 and a Retry-After, none with 500.
            assert set(down.statuses) == {503}, down.statuses
            assert down.missing_retry_after == 0
            assert set(after.statuses) <= {200, 503}, after.statuses
            assert (await client.get("/api/v1/ready")).status_code == 200
            assert server.process.poll() is None

            await account_for(client, round_id, {"before": before, "down": down, "after": after})
        await one_counted_per_voter(database, round_id, before.receipts + after.receipts)
    finally:
        server.stop()
    assert "unhandled error" not in server.log_path.read_text(), "a request failed with a 500"
