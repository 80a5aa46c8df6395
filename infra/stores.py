"""Short-lived shared state (OTP codes, attempt counters, locks): Redis, or memory for one process.

Every operation a rule depends on is atomic in Redis (INCR and EXPIRE in one transaction), so several
server processes enforce one limit together.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis

from infra.batching import Batcher


@runtime_checkable
class Store(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def incr(self, key: str, ttl: int) -> int:
        """Add one to a counter that expires `ttl` seconds after its first increment; the new value."""
        ...

    async def incr_many(self, counters: list[tuple[str, int]]) -> list[int]:
        """`incr` for several (key, ttl) counters in one round trip."""
        ...

    async def ttl(self, key: str) -> int:
        """Seconds until `key` expires, 0 when it does not exist."""
        ...

    async def attempt(self, counter: str, lock: str, limit: int, window: int) -> tuple[int, int]:
        """Count one attempt before it is tried, in one atomic step: (its number, 0) when it may be tried,
        else (0, seconds left on `lock`). An attempt past `limit` in a `window` sets the lock, so however
        many arrive at once, at most `limit` are tried between two locks."""
        ...

    async def take(self, key: str, value: bytes) -> bool:
        """Delete `key` if it holds `value`, atomically: True for the one caller that took it."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


# Add to every key and start its expiry on its first increment, in one atomic step on the server: one
# command however many counters, where a pipeline sends two commands for each. ARGV holds each key's
# increment and time to live.
COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
    local added = tonumber(ARGV[2 * i - 1])
    counts[i] = redis.call('INCRBY', key, added)
    if counts[i] == added then
        redis.call('EXPIRE', key, ARGV[2 * i])
    end
end
return counts
"""


ATTEMPT_SCRIPT = """
local locked = redis.call('TTL', KEYS[2])
if locked > 0 then return {0, locked} end
local tries = redis.call('INCR', KEYS[1])
if tries == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if tries > tonumber(ARGV[1]) then
    redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
    redis.call('DEL', KEYS[1])
    return {0, tonumber(ARGV[2])}
end
return {tries, 0}
"""

TAKE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisStore:
    """Shared state in Redis; every key starts with `prefix`, so deployments (or test runs) can share a server."""

    def __init__(self, url: str, prefix: str = ""):
        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=10)
        self.prefix = prefix
        # Every ballot counts against its rate limits; the counts of concurrent requests share one round trip.
        self._counting: Batcher[list[tuple[str, int]], list[int]] = Batcher(self._incr_together, max_size=128)
        self._count = self.redis.register_script(COUNT_SCRIPT)
        self._attempt = self.redis.register_script(ATTEMPT_SCRIPT)
        self._take = self.redis.register_script(TAKE_SCRIPT)

    async def get(self, key: str) -> bytes | None:
        return await self.redis.get(self.prefix + key)

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        await self.redis.set(self.prefix + key, value, ex=ttl)

    async def delete(self, *keys: str) -> None:
        await self.redis.delete(*(self.prefix + key for key in keys))

    async def incr(self, key: str, ttl: int) -> int:
        return (await self.incr_many([(key, ttl)]))[0]

    async def incr_many(self, counters: list[tuple[str, int]]) -> list[int]:
        return await self._counting.submit(counters)

    async def _incr_together(self, requests: list[list[tuple[str, int]]]) -> list[list[int]]:
        # A key that several requests count (one carrier's address, say) travels once, with its increment;
        # each request then gets its own count in turn, as if they had come one by one.
        added: dict[str, list[int]] = {}
        for counters in requests:
            for key, ttl in counters:
                added.setdefault(key, [0, ttl])[0] += 1
        totals = await self._count([self.prefix + key for key in added],
                                   [value for n, ttl in added.values() for value in (n, ttl)])
        next_count = {key: int(total) - n + 1 for (key, (n, _)), total in zip(added.items(), totals, strict=True)}
        counts = []
        for counters in requests:
            mine = []
            for key, _ in counters:
                mine.append(next_count[key])
                next_count[key] += 1
            counts.append(mine)
        return counts

    async def ttl(self, key: str) -> int:
        return max(0, int(await self.redis.ttl(self.prefix + key)))

    async def attempt(self, counter: str, lock: str, limit: int, window: int) -> tuple[int, int]:
        tries, locked = await self._attempt([self.prefix + counter, self.prefix + lock], [limit, window])
        return int(tries), int(locked)

    async def take(self, key: str, value: bytes) -> bool:
        return bool(await self._take([self.prefix + key], [value]))

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def close(self) -> None:
        await self.redis.aclose()


class MemoryStore:
    """The embedded default: correct only while a single process serves."""

    PURGE_EVERY = 10_000

    def __init__(self) -> None:
        self._data: dict[str, tuple[bytes, float]] = {}
        self._writes = 0

    def _wrote(self) -> None:
        # Expired keys that are never read again would otherwise stay forever.
        self._writes += 1
        if self._writes % self.PURGE_EVERY == 0:
            now = time.monotonic()
            for key in [k for k, (_, expires) in self._data.items() if expires <= now]:
                del self._data[key]

    def _live(self, key: str) -> tuple[bytes, float] | None:
        item = self._data.get(key)
        if item and item[1] <= time.monotonic():
            del self._data[key]
            return None
        return item

    async def get(self, key: str) -> bytes | None:
        item = self._live(key)
        return item[0] if item else None

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        self._data[key] = (value, time.monotonic() + ttl)
        self._wrote()

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def incr(self, key: str, ttl: int) -> int:
        item = self._live(key)
        value = int(item[0]) + 1 if item else 1
        self._data[key] = (str(value).encode(), item[1] if item else time.monotonic() + ttl)
        self._wrote()
        return value

    async def incr_many(self, counters: list[tuple[str, int]]) -> list[int]:
        return [await self.incr(key, ttl) for key, ttl in counters]

    async def ttl(self, key: str) -> int:
        item = self._live(key)
        return max(0, round(item[1] - time.monotonic())) if item else 0

    # No await between reading and writing: atomic within the one process this store serves.
    async def attempt(self, counter: str, lock: str, limit: int, window: int) -> tuple[int, int]:
        locked = await self.ttl(lock)
        if locked:
            return 0, locked
        tries = await self.incr(counter, window)
        if tries > limit:
            await self.set(lock, b"1", window)
            await self.delete(counter)
            return 0, window
        return tries, 0

    async def take(self, key: str, value: bytes) -> bool:
        if await self.get(key) != value:
            return False
        await self.delete(key)
        return True

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()


def make_store(redis_url: str | None, prefix: str = "") -> Store:
    return RedisStore(redis_url, prefix) if redis_url else MemoryStore()
