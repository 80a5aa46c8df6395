"""Many concurrent requests, one round trip: the group commit behind ballot intake.

At the evening peak a server process holds dozens of requests that each want the same small thing from
PostgreSQL or Redis. Sent one by one, every request pays a round trip, a statement's planning, a commit
and a lock on the round's row; sent together, they pay once. A `Batcher` collects what arrives while
earlier batches are on their way and sends it as the next batch, so a lone request goes at once (no
added delay when the service is quiet) and a crowd shares the cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class Batcher(Generic[Item, Outcome]):
    """Runs `run_batch` over the items of concurrent `submit` calls and hands each caller its own outcome.

    `run_batch` returns one outcome per item, in order; an exception in that list is raised to its
    caller alone, an exception raised by `run_batch` itself to every caller of the batch.
    """

    def __init__(self, run_batch: Callable[[list[Item]], Awaitable[Sequence[Outcome | BaseException]]],
                 max_size: int = 256, max_in_flight: int = 2):
        self.run_batch = run_batch
        self.max_size = max_size
        self.max_in_flight = max_in_flight
        self._loop: asyncio.AbstractEventLoop | None = None

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        # Futures belong to one event loop; a process that runs a new loop (tests do) starts afresh.
        self._loop = loop
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._in_flight = 0
        self._flush_scheduled = False
        self._tasks: set[asyncio.Task] = set()

    async def submit(self, item: Item) -> Outcome:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        future = loop.create_future()
        self._waiting.append((item, future))
        self._schedule_flush()
        return await future

    def _schedule_flush(self) -> None:
        # On the next turn of the loop, so that everything that arrives in this turn travels together.
        if not self._flush_scheduled and self._in_flight < self.max_in_flight:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        while self._waiting and self._in_flight < self.max_in_flight:
            batch, self._waiting = self._waiting[:self.max_size], self._waiting[self.max_size:]
            self._in_flight += 1
            task = self._loop.create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[Item, asyncio.Future]]) -> None:
        try:
            outcomes = await self.run_batch([item for item, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - every caller of the batch receives it
            outcomes = [exc] * len(batch)
        else:
            if len(outcomes) != len(batch):  # a bug in run_batch must not leave callers waiting forever
                outcomes = [RuntimeError(f"{len(outcomes)} outcomes for a batch of {len(batch)}")] * len(batch)
        finally:
            self._in_flight -= 1
            if self._waiting:
                self._schedule_flush()
        for (_, future), outcome in zip(batch, outcomes):
            if future.done():  # its caller went away (a client hung up); the outcome stands regardless
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
