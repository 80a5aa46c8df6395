"""Rate limits keyed on the resident, the phone, the device and the client's address.

Counters live in Redis (INCR and EXPIRE in one transaction per request, for every key at once), so
all server processes share one limit. Mobile carriers put many residents behind one address, so the
per-address limits are generous and the per-person ones strict (principle 6). When Redis does not
answer, each process falls back to its own counters: limits still hold, per process, instead of
being bypassed.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass

from redis.exceptions import RedisError

from infra.errors import TooManyRequests
from infra.stores import MemoryStore, Store

log = logging.getLogger("dauys.ratelimit")


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Per person (resident or phone) and per device: what one honest person never reaches.
BALLOT_PER_RESIDENT = Limit("ballot.resident", 30, 600)
BALLOT_PER_DEVICE = Limit("ballot.device", 60, 600)
OTP_PER_DEVICE = Limit("otp.device", 20, 3600)
TOKEN_PER_PHONE = Limit("token.phone", 30, 3600)
# Per address: a whole carrier's NAT may share one, so these are ceilings against floods, not fairness.
BALLOT_PER_ADDRESS = Limit("ballot.address", _env_int("DAUYS_BALLOTS_PER_ADDRESS_MINUTE", 6000), 60)
OTP_PER_ADDRESS = Limit("otp.address", _env_int("DAUYS_OTP_PER_ADDRESS_HOUR", 1000), 3600)
TOKEN_PER_ADDRESS = Limit("token.address", _env_int("DAUYS_OTP_PER_ADDRESS_HOUR", 1000) * 2, 3600)


class RateLimiter:
    def __init__(self, store: Store):
        self.store = store
        self.fallback = MemoryStore()

    async def hit(self, *checks: tuple[Limit, str | None]) -> None:
        """Count one request against each (limit, key); TooManyRequests when any is exceeded."""
        refusal = (await self.hit_each([checks]))[0]
        if refusal:
            raise refusal

    async def hit_each(self, requests: list[tuple[tuple[Limit, str | None], ...]]) -> list[TooManyRequests | None]:
        """`hit` for several requests in one round trip: each one's refusal, or None where it may go on."""
        checks = [tuple((limit, key) for limit, key in request if key) for request in requests]
        counters = [(f"rl:{limit.name}:{key}", limit) for request in checks for limit, key in request]
        if not counters:
            return [None] * len(requests)
        try:
            counts = await self._count(self.store, counters)
        except (RedisError, OSError):
            log.warning("rate limits fall back to this process's counters: Redis does not answer")
            counts = await self._count(self.fallback, counters)
        counted = iter(zip(counters, counts, strict=True))
        refusals: list[TooManyRequests | None] = []
        for request in checks:
            mine = [next(counted) for _ in request]
            exceeded = next(((key, limit) for (key, limit), count in mine if count > limit.count), None)
            refusals.append(await self._refusal(*exceeded) if exceeded else None)
        return refusals

    async def _refusal(self, key: str, limit: Limit) -> TooManyRequests:
        retry = await self._ttl(key)
        minutes = limit.seconds // 60
        window = {"count": limit.count, "kind": limit.name.split(".")[0], "retry": retry}
        if minutes < 60:
            return TooManyRequests("Too many requests: the limit is {count} {kind} requests per {minutes} minute(s). "
                                   "Try again in {retry} second(s).", retry_after=retry, minutes=minutes, **window)
        return TooManyRequests("Too many requests: the limit is {count} {kind} requests per {hours} hour(s). "
                               "Try again in {retry} second(s).", retry_after=retry, hours=minutes // 60, **window)

    async def _count(self, store: Store, counters: list[tuple[str, Limit]]) -> list[int]:
        return await store.incr_many([(key, limit.seconds) for key, limit in counters])

    async def _ttl(self, key: str) -> int:
        try:
            return await self.store.ttl(key) or 1
        except (RedisError, OSError):
            return await self.fallback.ttl(key) or 1


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple) -> str | None:
    """The client's address: the socket's peer, or, behind a trusted proxy, the last untrusted hop."""
    if not peer:
        return None
    if not forwarded_for or not trusted:
        return peer  # the usual case, on every request: nothing to parse
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return peer
    if not any(address in network for network in trusted):
        return str(address)
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        try:
            candidate = ipaddress.ip_address(hop)
        except ValueError:
            return str(address)
        if not any(candidate in network for network in trusted):
            return str(candidate)
    return str(address)
