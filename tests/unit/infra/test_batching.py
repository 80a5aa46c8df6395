"""The group commit's batcher: concurrent requests share a trip, and each caller gets its own answer."""

from __future__ import annotations

import asyncio

import pytest

from infra.batching import Batcher
from tests.waiting import wait_for


class Recorder:
    """A batch's trip: with `held`, every batch stays on its way until the test opens `gate`."""

    def __init__(self, held: bool = False, fail_batch: bool = False):
        self.batches: list[list[int]] = []
        self.running = 0
        self.most_running = 0
        self.gate = asyncio.Event()
        if not held:
            self.gate.set()
        self.fail_batch = fail_batch

    async def __call__(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(items)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.gate.wait()
            if self.fail_batch:
                raise ConnectionError("database down")
            return [ValueError(f"odd {n}") if n % 2 else n * 10 for n in items]
        finally:
            self.running -= 1


async def test_a_lone_request_goes_at_once_and_a_crowd_travels_together():
    run = Recorder()
    batcher = Batcher(run, max_size=100, max_in_flight=1)
    assert await batcher.submit(2) == 20
    assert run.batches == [[2]]

    outcomes = await asyncio.gather(*[batcher.submit(n) for n in range(0, 40, 2)])
    assert outcomes == [n * 10 for n in range(0, 40, 2)]
    # All twenty arrived in one turn of the loop: one trip carries them.
    assert run.batches[1:] == [list(range(0, 40, 2))]


async def test_what_arrives_while_a_batch_travels_waits_for_the_next():
    run = Recorder(held=True)
    batcher = Batcher(run, max_size=100, max_in_flight=1)
    first = asyncio.ensure_future(batcher.submit(0))
    await wait_for(lambda: run.batches, what="the first batch leaves")
    later = asyncio.gather(*[batcher.submit(n) for n in (2, 4, 6)])
    await wait_for(lambda: len(batcher._waiting) == 3, what="three requests queue behind the first batch")
    run.gate.set()
    assert await first == 0 and await later == [20, 40, 60]
    assert run.batches == [[0], [2, 4, 6]]
    assert run.most_running == 1


async def test_batches_respect_their_size_and_the_number_in_flight():
    run = Recorder(held=True)
    batcher = Batcher(run, max_size=3, max_in_flight=2)
    everyone = asyncio.gather(*[batcher.submit(n) for n in range(0, 20, 2)])
    await wait_for(lambda: run.running >= 2, what="two batches in flight")
    assert run.batches == [[0, 2, 4], [6, 8, 10]], "a third batch left while two were in flight"
    run.gate.set()
    outcomes = await everyone
    assert outcomes == [n * 10 for n in range(0, 20, 2)]
    assert all(len(batch) <= 3 for batch in run.batches)
    assert sorted(n for batch in run.batches for n in batch) == list(range(0, 20, 2))
    assert run.most_running == 2


async def test_an_item_failure_reaches_its_caller_alone():
    batcher = Batcher(Recorder(), max_size=10)
    outcomes = await asyncio.gather(*[batcher.submit(n) for n in (1, 2, 3)], return_exceptions=True)
    assert isinstance(outcomes[0], ValueError) and str(outcomes[0]) == "odd 1"
    assert outcomes[1] == 20
    assert isinstance(outcomes[2], ValueError) and str(outcomes[2]) == "odd 3"


async def test_a_failed_batch_fails_each_of_its_callers_and_the_next_batch_runs():
    run = Recorder(fail_batch=True)
    batcher = Batcher(run, max_size=10)
    outcomes = await asyncio.gather(*[batcher.submit(n) for n in (2, 4)], return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)
    run.fail_batch = False
    assert await batcher.submit(6) == 60


async def test_a_caller_that_goes_away_does_not_stop_the_others():
    run = Recorder(held=True)
    batcher = Batcher(run, max_size=10)
    leaving = asyncio.ensure_future(batcher.submit(2))
    staying = asyncio.ensure_future(batcher.submit(4))
    await wait_for(lambda: run.batches, what="the batch of both leaves")
    leaving.cancel()
    run.gate.set()
    assert await staying == 40
    with pytest.raises(asyncio.CancelledError):
        await leaving


def test_each_event_loop_gets_its_own_batches():
    batcher = Batcher(Recorder(), max_size=10)
    assert asyncio.run(batcher.submit(2)) == 20
    assert asyncio.run(batcher.submit(4)) == 40


async def test_a_batch_answered_short_fails_its_callers_instead_of_leaving_them_waiting():
    async def short(items: list[int]) -> list[int]:
        return items[:-1]

    outcomes = await asyncio.gather(*[Batcher(short).submit(n) for n in (1,)], return_exceptions=True)
    assert isinstance(outcomes[0], RuntimeError)


async def test_rate_limits_of_several_requests_are_counted_together_and_refused_one_by_one():
    from infra.errors import TooManyRequests
    from infra.ratelimit import Limit, RateLimiter
    from infra.stores import MemoryStore

    per_person = Limit("ballot.resident", 2, 600)
    per_address = Limit("ballot.address", 3, 60)
    limiter = RateLimiter(MemoryStore())
    requests = [((per_person, person), (per_address, "10.0.0.1")) for person in ("a", "a", "b", "a", "c")]
    refusals = await limiter.hit_each(requests)
    # a, a pass; b passes; a's third is over the per-person limit; c is the address's fourth.
    assert [refusal is None for refusal in refusals] == [True, True, True, False, False]
    assert all(isinstance(refusal, TooManyRequests) and refusal.retry_after > 0 for refusal in refusals[3:])
    assert "2 ballot requests per 10 minute(s)" in str(refusals[3])
    assert "3 ballot requests per 1 minute(s)" in str(refusals[4])
    assert await limiter.hit_each([((per_person, None),)]) == [None]  # no key, nothing to count
