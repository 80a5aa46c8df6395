"""Every process schedules every job; each run of a claimed job happens in one of them."""

from __future__ import annotations

from infra.stores import MemoryStore
from server.scheduler import once


class Job:
    def __init__(self):
        self.runs = 0

    async def __call__(self):
        self.runs += 1


class RedisDown(MemoryStore):
    async def incr(self, key: str, ttl: int) -> int:
        raise ConnectionRefusedError("redis is down")


async def test_a_run_is_claimed_by_one_process_and_the_next_slot_is_free_again():
    shared, job = MemoryStore(), Job()
    for _ in range(3):  # three processes, the same minute
        await once(shared, "anomalies", "%Y-%m-%dT%H:%M", job)
    assert job.runs == 1
    await once(shared, "anomalies", "%Y-%m-%dT%H:%M:%S.%f", job)  # a later slot
    assert job.runs == 2


async def test_without_redis_every_process_runs_the_job_rather_than_none():
    job = Job()
    await once(RedisDown(), "recount", "%Y-%m-%d", job)
    await once(RedisDown(), "recount", "%Y-%m-%d", job)
    assert job.runs == 2
