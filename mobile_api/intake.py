"""Ballot intake at the peak: the ballots that reach a process together go through the whole path together.

A ballot needs three things from outside the process: its rate-limit counters (Redis), its resident's
row (PostgreSQL) and the cast itself (PostgreSQL). One queue for the whole path, rather than one per
step, lets every ballot waiting in the process travel in the same batch: one Redis script, one resident
query and one cast statement for all of them, where three queues would split the same ballots into
smaller batches, each paying its round trips, planning and commit. A refusal (a rate limit, eligibility,
the vote rules, the deadline) belongs to its own ballot and never holds up the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from budgets import casting
from budgets.ballots import Choice
from core.residents import residents_by_id
from infra import metrics, ratelimit
from infra.batching import Batcher
from infra.http import Client
from infra.ratelimit import RateLimiter


@dataclass(frozen=True)
class Ballot:
    """A resident's ballot as it arrives: who sends it, from where, for which round, with which choices."""

    round_id: int
    resident_id: int
    choices: list[Choice]
    idempotency_key: str | None
    client: Client


class BallotIntake:
    def __init__(self, secret_key: str, limiter: RateLimiter):
        self.secret_key = secret_key
        self.limiter = limiter
        self._batches: Batcher[Ballot, casting.CastBallot | casting.Unsettled] = Batcher(
            self._take, max_size=256, max_in_flight=1)

    async def cast(self, ballot: Ballot) -> casting.CastBallot:
        # Counted once settled: a ballot its batch could not store is retried, or refused, only then.
        try:
            stored = await casting.settle(await self._batches.submit(ballot))
        except Exception as refusal:
            metrics.BALLOTS.labels("refused", type(refusal).__name__).inc()
            raise
        metrics.BALLOTS.labels("accepted", "").inc()
        return stored

    async def _take(self, ballots: list[Ballot]) -> list[casting.CastBallot | casting.Unsettled | BaseException]:
        refusals = await self.limiter.hit_each([
            ((ratelimit.BALLOT_PER_RESIDENT, str(ballot.resident_id)),
             (ratelimit.BALLOT_PER_DEVICE, ballot.client.device),
             (ratelimit.BALLOT_PER_ADDRESS, ballot.client.address))
            for ballot in ballots
        ])
        outcomes: list[casting.CastBallot | casting.Unsettled | BaseException | None] = list(refusals)
        allowed = [position for position, refusal in enumerate(outcomes) if refusal is None]
        residents = await residents_by_id([ballots[position].resident_id for position in allowed])
        prepared: list[tuple[int, casting.CastRequest]] = []
        for position, resident in zip(allowed, residents, strict=True):
            ballot = ballots[position]
            try:
                if isinstance(resident, BaseException):
                    raise resident
                voter = casting.voter_of(self.secret_key, resident, ballot.round_id, ballot.client.address,
                                         ballot.client.device)
                prepared.append((position, await casting.prepare(ballot.round_id, voter, ballot.choices,
                                                                 ballot.idempotency_key)))
            except Exception as exc:  # noqa: BLE001 - the refusal belongs to this ballot alone
                outcomes[position] = exc
        stored = await casting.store([request for _, request in prepared])
        for (position, _), outcome in zip(prepared, stored, strict=True):
            outcomes[position] = outcome
        return outcomes
