"""Redis stopped while residents vote: ballots go on, sign-in waits (503), nothing is bypassed or lost.

The choice (README, "When parts fail"): the ballot path needs only PostgreSQL, so voting continues
(rate limits fall back to each process's own counters); SMS codes, wrong-code counters and phone
locks live only in Redis, so sign-in answers 503 with Retry-After instead of guessing.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.steps import (
    Answers,
    account_for,
    keep_voting,
    one_counted_per_voter,
    open_round,
    residents,
    staff_headers,
)
from tests.helpers import last_code, new_phone
from tests.servers import Server
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres

VOTERS = 20


async def test_redis_outage_keeps_ballots_and_refuses_sign_in(private_redis, environment, sms_outbox, tmp_path):
    database = environment["DAUYS_DATABASE_URL"]
    server = Server(tmp_path, env=environment).start()
    try:
        async with server.client() as client:
            round_id, projects = await open_round(client, database, [10, 20, 30, 40], budget=100)
            voters = await residents(client, sms_outbox, VOTERS)
            # A code sent before the outage: it must not become usable without Redis.
            phone = new_phone()
            assert (await client.post("/api/v1/auth/otp", json={"phone": phone})).status_code == 202
            code = last_code(sms_outbox, phone)
            staff = await staff_headers(client)

            answers, stop = Answers(), asyncio.Event()
            voting = [asyncio.create_task(keep_voting(server.url, voter, round_id, projects, stop, answers,
                                                      pause=0.5, limit=20)) for voter in voters]
            await wait_for(lambda: len(answers.receipts) >= VOTERS, what="ballots acknowledged before Redis stops")
            private_redis.stop()
            try:
                during = len(answers.receipts)
                await wait_for(lambda: len(answers.receipts) - during >= VOTERS,
                               what="ballots acknowledged while Redis is down")

                # Staff tokens already issued need no Redis; signing in does (attempt counters).
                assert (await client.get("/api/v1/admin/rounds", headers=staff)).status_code == 200
                for attempt in (
                    client.post("/api/v1/admin/session", json={"email": "x@almaty.dauys.kz", "password": "wrong"}),
                    client.post("/api/v1/auth/otp", json={"phone": new_phone()}),
                    client.post("/api/v1/auth/token", json={"phone": phone, "code": code}),
                    client.post("/api/v1/auth/token", json={"phone": phone, "code": "000000"}),
                    client.get("/api/v1/ready"),
                ):
                    answer = await attempt
                    assert answer.status_code == 503, answer.text
                    assert answer.headers["retry-after"].isdigit()
            finally:
                private_redis.start()
            back = len(answers.receipts)
            await wait_for(lambda: len(answers.receipts) - back >= VOTERS,
                           what="ballots acknowledged after Redis is back")
            stop.set()
            await asyncio.gather(*voting)
            assert set(answers.statuses) == {200}, answers.statuses

            # Redis came back empty: the old code is gone, a new one works, without restarting Dauys.
            assert (await client.post("/api/v1/auth/token", json={"phone": phone, "code": code})).status_code == 401
            assert (await client.post("/api/v1/auth/otp", json={"phone": phone})).status_code == 202
            signed_in = await client.post("/api/v1/auth/token", json={"phone": phone,
                                                                     "code": last_code(sms_outbox, phone)})
            assert signed_in.status_code == 200, signed_in.text
            assert (await client.get("/api/v1/ready")).status_code == 200

            await account_for(client, round_id, {"through the outage": answers})
        await one_counted_per_voter(database, round_id, answers.receipts)
    finally:
        server.stop()
    assert "unhandled error" not in server.log_path.read_text(), "a request failed with a 500"
