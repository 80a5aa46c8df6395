"""Rate limits answer 429 with Retry-After and are keyed on the person, not only on the address."""

from __future__ import annotations

import pytest

from infra import ratelimit
from tests.helpers import new_phone, open_now, resident, round_with_projects, staff_headers


async def test_ballots_are_limited_per_resident(client, outbox):
    staff = await staff_headers(client, "limits@almaty.kz", "Limits-pass-2026", "750000000")
    round_id, (p1, p2) = await round_with_projects(client, staff, [1, 2], region="751110000")
    await open_now(round_id)
    eager = await resident(client, outbox)
    url = f"/api/v1/rounds/{round_id}/ballot"
    for number in range(ratelimit.BALLOT_PER_RESIDENT.count):
        answer = await client.put(url, json={"choices": [{"project_id": (p1, p2)[number % 2]}]},
                                  headers=eager["headers"])
        assert answer.status_code == 200, answer.text
    refused = await client.put(url, json={"choices": [{"project_id": p1}]}, headers=eager["headers"])
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    # Another resident behind the same address is not affected.
    neighbour = await resident(client, outbox)
    assert (await client.put(url, json={"choices": [{"project_id": p1}]},
                             headers=neighbour["headers"])).status_code == 200


async def test_codes_are_limited_per_device(client):
    device = {"X-Device-Id": "pumping-device"}
    for _ in range(ratelimit.OTP_PER_DEVICE.count):
        answer = await client.post("/api/v1/auth/otp", json={"phone": new_phone()}, headers=device)
        assert answer.status_code == 202
    refused = await client.post("/api/v1/auth/otp", json={"phone": new_phone()}, headers=device)
    assert refused.status_code == 429 and "Retry-After" in refused.headers


@pytest.mark.postgres
async def test_counters_that_arrive_together_in_redis_count_each_request_once():
    """Concurrent requests behind one address share a Redis round trip; each still gets its own count."""
    import asyncio
    import os

    from infra.stores import RedisStore

    store = RedisStore(os.environ["DAUYS_REDIS_URL"], os.environ["DAUYS_REDIS_PREFIX"])
    try:
        answers = await asyncio.gather(*[
            store.incr_many([("rl:test:address", 60), (f"rl:test:{person}", 600)]) for person in "abab"
        ])
        assert sorted(address for address, _ in answers) == [1, 2, 3, 4]
        assert sorted(person for _, person in answers) == [1, 1, 2, 2]
        assert await store.incr("rl:test:address", 60) == 5
        assert 0 < await store.ttl("rl:test:address") <= 60 and 540 < await store.ttl("rl:test:a") <= 600
    finally:
        await store.close()
