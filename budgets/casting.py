"""Casting a ballot: eligibility, the round's vote rules, the deadline by the database clock, receipts.

A resident's ballots in a round are stored under a per-round pseudonym (a keyed hash of the round and
the resident's IIN hash), so a ballot row names no person, and the same person on any channel lands
on the same pseudonym: one counted ballot per person and round (principle 2, enforced by a partial
unique index).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from budgets.ballots import Choice, check_ballot, stored_choices
from budgets.ledger import receipt_hash
from budgets.records import RoundRecord
from budgets.rounds import BEFORE_VOTING, effective_status, get_round
from budgets.tables import Ballot, Project, Round
from core.clock import as_utc, database_now
from core.eligibility import lives_in, old_enough
from core.regions import region_name, region_path
from core.residency import region_at
from core.residents import ResidentRecord, voter_identity
from infra import database
from infra.database import is_deadlock, is_postgres, is_unique_violation, write_transaction
from infra.errors import Conflict, NotAllowed, NotFound

# Concurrent casts by one voter collide on the one-counted-ballot index; each collision lets one of them
# through, so a burst of N double taps settles within N attempts. Jitter keeps them from colliding again.
ATTEMPTS = 16


@dataclass(frozen=True)
class Voter:
    """What casting needs to know about a resident, and nothing that identifies them."""

    pseudonym: str
    region: str | None
    birth_date: date | None
    # When the current residency began (None: since the first registration). A round that opened earlier
    # asks `region_at` for the residency that held at its opening.
    region_since: datetime | None = None
    region_at: Callable[[datetime], Awaitable[str | None]] | None = None
    # Keyed hashes of the client's address and device, for spotting clusters (see budgets.integrity).
    origin: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class CastBallot:
    receipt: str
    cast_at: datetime
    revision: int
    choices: list[tuple[int, int]]


def pseudonym(secret_key: str, round_id: int, identity: str) -> str:
    return hmac.new(secret_key.encode(), f"voter:{round_id}:{identity}".encode(), hashlib.sha256).hexdigest()


def source_hash(secret_key: str, kind: str, value: str | None) -> str | None:
    if not value:
        return None
    return hmac.new(secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]


def voter_of(secret_key: str, resident: ResidentRecord, round_id: int, address: str | None = None,
             device: str | None = None) -> Voter:
    """The resident as casting (and every other one-per-person rule of a round) sees them."""
    return Voter(
        pseudonym=pseudonym(secret_key, round_id, voter_identity(resident)),
        region=resident.region if resident.iin_hash else None,
        birth_date=resident.birth_date,
        region_since=resident.region_since,
        region_at=partial(region_at, resident.id),
        origin=source_hash(secret_key, "address", address),
        device=source_hash(secret_key, "device", device),
    )


def new_receipt() -> str:
    return secrets.token_urlsafe(18)  # 144 bits: unguessable


@dataclass(frozen=True)
class OpenRound:
    """What casting reads of a round whose voting has opened: frozen from then on, so it may be cached."""

    round: RoundRecord
    costs: dict[int, int]
    path: str


_open_rounds: dict[int, tuple[float, OpenRound]] = {}
OPEN_ROUND_TTL = 5.0


async def open_round(round_id: int, fresh: bool = False) -> OpenRound:
    cached = _open_rounds.get(round_id)
    if cached and not fresh and cached[0] > time.monotonic():
        return cached[1]
    round_ = await get_round(round_id)
    costs = {p["id"]: p["cost"] for p in await Project.select(Project.id,
                                                              Project.cost).where(Project.round == round_id)}
    loaded = OpenRound(round_, costs, await region_path(round_.region))
    if effective_status(round_, datetime.now(UTC)) == "voting":
        _open_rounds[round_id] = (time.monotonic() + OPEN_ROUND_TTL, loaded)
    return loaded


async def residency_at_opening(round_: RoundRecord, voter: Voter) -> str | None:
    """The voter's region when the round's voting opened: a later move counts from the next round on."""
    opens_at = round_.voting_opens_at
    if voter.region_since is None or as_utc(voter.region_since) <= opens_at:
        return voter.region
    return await voter.region_at(opens_at) if voter.region_at else None


async def check_eligible(round_: RoundRecord, voter: Voter, round_path: str | None = None) -> None:
    if voter.region is None or voter.birth_date is None:
        raise NotAllowed("Prove your residency first: PUT /api/v1/me/residency with your IIN and region.")
    region = await residency_at_opening(round_, voter)
    round_path = round_path or await region_path(round_.region)
    if region is None or not lives_in(round_path, await region_path(region)):
        if region is None:
            raise NotAllowed("This round is for residents of {region} when its voting opened; you were registered "
                             "in no region then (a move counts for rounds that open after it).",
                             region=await region_name(round_.region))
        raise NotAllowed("This round is for residents of {region} when its voting opened; you were registered "
                         "in {yours} then (a move counts for rounds that open after it).",
                         region=await region_name(round_.region), yours=await region_name(region))
    if not old_enough(voter.birth_date, round_.voting_opens_at, round_.min_age):
        raise NotAllowed("This round is open to residents aged {age} or over on the day voting opens.",
                         age=round_.min_age)


def _refuse_unless_open(round_: RoundRecord, now: datetime) -> None:
    status = effective_status(round_, now)
    if status != "voting":
        times = {"round": round_.id, "opens": round_.voting_opens_at, "closes": round_.voting_closes_at}
        if status in BEFORE_VOTING:
            raise Conflict("Voting in round {round} has not opened yet; it runs from {opens} to {closes}.", **times)
        raise Conflict("Voting in round {round} has closed; it runs from {opens} to {closes}.", **times)


def _as_cast(row: dict[str, Any]) -> CastBallot:
    return CastBallot(row["receipt"], as_utc(row["cast_at"]), row["revision"],
                      [tuple(c) for c in stored_choices(row["choices"])])


@dataclass(frozen=True)
class CastRequest:
    """A ballot that passed every check this process can make; storing it decides the rest."""

    round_id: int
    voter: Voter
    pairs: list[tuple[int, int]]
    idempotency_key: str | None
    receipt: str


async def prepare(round_id: int, voter: Voter, choices: list[Choice], idempotency_key: str | None) -> CastRequest:
    """Eligibility and the round's vote rules: a DauysError for a ballot that cannot count."""
    current = await open_round(round_id)
    # An early answer by this process's clock; the statement that stores the ballot decides by the database's.
    if effective_status(current.round, datetime.now(UTC)) != "voting":
        current = await open_round(round_id, fresh=True)
        _refuse_unless_open(current.round, await database_now())
    await check_eligible(current.round, voter, current.path)
    pairs = check_ballot(current.round.vote, current.round.budget, choices, current.costs)
    return CastRequest(round_id, voter, pairs, idempotency_key, new_receipt())


@dataclass(frozen=True)
class Unsettled:
    """A ballot its batch did not store: it met another request of its voter, or voting was not open."""

    request: CastRequest
    outcome: object


async def store(requests: list[CastRequest]) -> list[CastBallot | Unsettled | BaseException]:
    """Store prepared ballots, together where the database allows: each one's ballot, refusal or retry.

    A ballot left unsettled is settled by its own caller (`settle`), so that retrying it never holds up
    the answers of the others in its batch.
    """
    if not is_postgres():
        outcomes: list[CastBallot | Unsettled | BaseException] = []
        for request in requests:
            try:
                outcomes.append(await _cast_on_sqlite(request))
            except Exception as exc:  # noqa: BLE001 - the refusal belongs to this ballot alone
                outcomes.append(exc)
        return outcomes
    stored = await _cast_batch(requests)
    return [outcome if isinstance(outcome, CastBallot) else Unsettled(request, outcome)
            for request, outcome in zip(requests, stored, strict=True)]


async def settle(outcome: CastBallot | Unsettled) -> CastBallot:
    """The stored ballot: retried alone after a collision; Conflict when voting is not open."""
    if isinstance(outcome, CastBallot):
        return outcome
    request, stored = outcome.request, outcome.outcome
    for _ in range(ATTEMPTS):
        if stored is not _COLLIDED:
            break
        # Another request of the same voter got there first: with the same key, the statement answers as
        # it did; otherwise this ballot supersedes that one in turn.
        await asyncio.sleep(random.uniform(0, 0.005))
        stored = (await _cast_together(request.round_id, [request]))[0]
    if isinstance(stored, CastBallot):
        return stored
    if stored is _COLLIDED:
        raise Conflict("Your ballot is being changed by another request at this moment: try again.")
    _refuse_unless_open(await get_round(request.round_id), await database_now())
    raise Conflict("Voting in round {round} is not open.", round=request.round_id)


# A batch that met another request of one of its voters (the one-counted-ballot index refused it, or the
# two waited on each other): its requests go again one by one.
_COLLIDED = object()

# PostgreSQL: the casts that reach a process together are stored by one statement in one transaction
# (group commit), so the round trip, the commit and the lock on the round's row are paid once per batch.
# The round's row is share-locked, so closing (an UPDATE of that row) waits for the batch; the deadline is
# the database's clock_timestamp(). A request whose Idempotency-Key is stored already gets that ballot
# back unchanged. Revisions count up over every earlier ballot of the voter, invalidated ones included.
#
# Each lookup of earlier ballots is a subquery correlated to its request, one index probe per request:
# the statement is prepared once per connection, and a plan made while the round was young must not
# later scan the whole round, however the table's statistics lag behind it.
CAST_STATEMENT = """
WITH cast_in AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
        AS t(voter, receipt, choices, idempotency_key, origin, device)
), open_round AS (
    SELECT clock_timestamp() AS now FROM round
    WHERE id = $7 AND status IN ('draft', 'voting')
      AND voting_opens_at <= clock_timestamp() AND clock_timestamp() < voting_closes_at
    FOR SHARE
), known AS (
    -- One probe of the (round, voter, idempotency_key) index reads all of a voter's earlier ballots.
    SELECT c.*, earlier.*
    FROM cast_in c CROSS JOIN LATERAL (
        SELECT min(b.id) FILTER (WHERE b.idempotency_key = c.idempotency_key) AS replayed,
               array_agg(b.id) FILTER (WHERE b.status IN ('counted', 'quarantined')) AS live,
               max(b.revision) AS latest
        FROM ballot b WHERE b.round = $7 AND b.voter = c.voter
    ) AS earlier
), fresh AS (
    SELECT known.*, open_round.now FROM known, open_round WHERE known.replayed IS NULL
), superseded AS (
    UPDATE ballot SET status = 'superseded' WHERE id = ANY (ARRAY(SELECT unnest(live) FROM fresh))
    RETURNING id
), inserted AS (
    INSERT INTO ballot (round, voter, revision, receipt, choices, cast_at, status, channel, idempotency_key,
                        origin, device)
    SELECT $7, c.voter, COALESCE(c.latest, 0) + 1, c.receipt, c.choices::json, c.now, 'counted', 'mobile',
           c.idempotency_key, c.origin, c.device
    -- Joining the count of superseded ballots makes the UPDATE finish before the first row is inserted,
    -- so the one-counted-ballot index never holds two.
    FROM fresh c, (SELECT count(*) FROM superseded) AS done
    RETURNING voter, receipt, cast_at, revision
)
SELECT voter, receipt, cast_at, revision, NULL AS choices FROM inserted
UNION ALL
-- A replay reads its stored ballot by id, through a subquery per row, which can only be a probe.
SELECT voter, (earlier).receipt, (earlier).cast_at, (earlier).revision, (earlier).choices::text
FROM (SELECT k.voter, (SELECT b FROM ballot b WHERE b.id = k.replayed) AS earlier
      FROM known k WHERE k.replayed IS NOT NULL) AS replays
"""


async def _cast_together(round_id: int, requests: list[CastRequest]) -> list[CastBallot | None | object]:
    """Store the casts of distinct voters in one round: each one's ballot, None when voting is not open."""
    try:
        rows = await database.fetch(
            CAST_STATEMENT,
            [r.voter.pseudonym for r in requests], [r.receipt for r in requests],
            [json.dumps([list(pair) for pair in r.pairs]) for r in requests],
            [r.idempotency_key for r in requests], [r.voter.origin for r in requests],
            [r.voter.device for r in requests],
            round_id,
        )
    except Exception as exc:
        if is_unique_violation(exc) or is_deadlock(exc):
            return [_COLLIDED] * len(requests)
        raise
    by_voter = {row["voter"]: row for row in rows}
    stored: list[CastBallot | None | object] = []
    for request in requests:
        row = by_voter.get(request.voter.pseudonym)
        if row is None:
            stored.append(None)
        elif row["choices"] is None:
            stored.append(CastBallot(row["receipt"], as_utc(row["cast_at"]), row["revision"], request.pairs))
        else:
            stored.append(_as_cast(row))
    return stored


async def _cast_batch(requests: list[CastRequest]) -> list[CastBallot | None | object]:
    """One statement per round and per wave of distinct voters (a voter's second cast waits for the next)."""
    stored: dict[int, CastBallot | None | object] = {}
    waiting = list(enumerate(requests))
    while waiting:
        wave: dict[int, dict[str, tuple[int, CastRequest]]] = {}
        later = []
        for position, request in waiting:
            voters = wave.setdefault(request.round_id, {})
            if request.voter.pseudonym in voters:
                later.append((position, request))
            else:
                voters[request.voter.pseudonym] = (position, request)
        for round_id, voters in wave.items():
            together = list(voters.values())
            outcomes = await _cast_together(round_id, [request for _, request in together])
            stored.update((position, outcome) for (position, _), outcome in zip(together, outcomes, strict=True))
        waiting = later
    return [stored[position] for position in range(len(requests))]


async def _by_idempotency_key(round_id: int, voter: str, key: str) -> CastBallot | None:
    row = await Ballot.select(Ballot.receipt, Ballot.cast_at, Ballot.revision, Ballot.choices).where(
        (Ballot.round == round_id) & (Ballot.voter == voter) & (Ballot.idempotency_key == key)
    ).first()
    return _as_cast(row) if row else None


async def _cast_on_sqlite(request: CastRequest) -> CastBallot:
    if request.idempotency_key:
        earlier = await _by_idempotency_key(request.round_id, request.voter.pseudonym, request.idempotency_key)
        if earlier:
            return earlier
    try:
        return await _store_on_sqlite(request)
    except Exception as exc:
        # Writes take turns here, so two ballots of one voter cannot collide on the one-counted index: a
        # unique violation is this key, stored by a request sent together with this one that wrote first.
        if not (request.idempotency_key and is_unique_violation(exc)):
            raise
        earlier = await _by_idempotency_key(request.round_id, request.voter.pseudonym, request.idempotency_key)
        if earlier is None:
            raise
        return earlier


async def _store_on_sqlite(request: CastRequest) -> CastBallot:
    # One writer at a time (an immediate transaction), so the steps cannot interleave.
    round_id, voter = request.round_id, request.voter
    async with write_transaction():
        locked = await get_round(round_id)
        now = await database_now()
        _refuse_unless_open(locked, now)
        # A quarantined ballot is out of the count already; a new revision supersedes it like a counted one.
        await Ballot.update({Ballot.status: "superseded"}).where(
            (Ballot.round == round_id) & (Ballot.voter == voter.pseudonym)
            & Ballot.status.is_in(["counted", "quarantined"])
        )
        # Revisions count up over every earlier ballot, invalidated ones included.
        latest = await Ballot.select(Ballot.revision).where(
            (Ballot.round == round_id) & (Ballot.voter == voter.pseudonym)
        ).order_by(Ballot.revision, ascending=False).first()
        revision = (latest["revision"] if latest else 0) + 1
        await Ballot.insert(
            Ballot(round=round_id, voter=voter.pseudonym, revision=revision, receipt=request.receipt,
                   choices=[list(pair) for pair in request.pairs], cast_at=now, status="counted",
                   idempotency_key=request.idempotency_key, origin=voter.origin, device=voter.device)
        )
    return CastBallot(request.receipt, as_utc(now), revision, request.pairs)


async def current_ballot(round_id: int, voter: str) -> CastBallot:
    row = await Ballot.select(Ballot.receipt, Ballot.cast_at, Ballot.revision, Ballot.choices).where(
        (Ballot.round == round_id) & (Ballot.voter == voter) & (Ballot.status == "counted")
    ).first()
    if row is None:
        raise NotFound("You have no ballot in round {round} yet.", round=round_id)
    return _as_cast(row)


async def ballots_of(secret_key: str, resident: ResidentRecord) -> list[tuple[int, CastBallot]]:
    """The resident's counted ballot in every round they voted in, newest round first.

    Ballots carry a per-round pseudonym, never the resident: the pseudonyms are derived here, round by round,
    from the resident's own identity, which only the resident's own request can do.
    """
    round_ids = [row["id"] for row in await Round.select(Round.id).order_by(Round.id, ascending=False)]
    voters = {pseudonym(secret_key, round_id, voter_identity(resident)): round_id for round_id in round_ids}
    if not voters:
        return []
    rows = await Ballot.select(Ballot.round, Ballot.voter, Ballot.receipt, Ballot.cast_at, Ballot.revision,
                               Ballot.choices).where(
        Ballot.round.is_in(round_ids) & Ballot.voter.is_in(list(voters)) & (Ballot.status == "counted"))
    found = [(row["round"], _as_cast(row)) for row in rows if voters.get(row["voter"]) == row["round"]]
    return sorted(found, key=lambda pair: -pair[0])


async def receipt_status(receipt: str) -> dict[str, Any]:
    row = await Ballot.select(Ballot.round, Ballot.status, Ballot.cast_at).where(Ballot.receipt == receipt).first()
    if row is None:
        raise NotFound("No ballot has this receipt. Check that it was copied in full.")
    return {"round_id": row["round"], "status": row["status"], "cast_at": as_utc(row["cast_at"]),
            "receipt_hash": receipt_hash(receipt)}
