"""Waiting for an event instead of for time: tests poll what they expect to see, and the deadline only
bounds a hang, so a slow machine makes a test slower, never wrong.

When the deadline passes, the AssertionError names what never happened.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Long enough that only a hang reaches it on a loaded two-core machine.
HANG = 60.0
POLL = 0.05


def wait_for_sync(condition: Callable[[], T], timeout: float = HANG, what: str = "the condition",
                  every: float = POLL) -> T:
    """The first true value of `condition()`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"never happened: {what} (gave up after {timeout:g} s)")
        time.sleep(every)


async def wait_for(condition: Callable[[], T | Awaitable[T]], timeout: float = HANG, what: str = "the condition",
                   every: float = POLL) -> T:
    """The first true value of `condition()`, a function or a coroutine function."""
    deadline = time.monotonic() + timeout
    while True:
        value: Any = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"never happened: {what} (gave up after {timeout:g} s)")
        await asyncio.sleep(every)
