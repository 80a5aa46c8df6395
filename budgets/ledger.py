"""The public ballot ledger of a round: every ballot ever accepted, anonymised, in the order the
database accepted it, chained by hashes; checkpoints publish the chain's head so later removals show.

An entry is (seq, receipt hash, time, revision); its status (counted, superseded, quarantined,
invalidated) is shown beside it but left out of the hash, since it may change for published reasons.
A resident finds their receipt by its SHA-256; anyone holding an earlier checkpoint can recompute the
chain and see that no entry before it was removed or altered.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from budgets.tables import Ballot, LedgerCheckpoint, Round
from core.clock import as_utc, database_now
from infra.database import is_unique_violation

GENESIS = "0" * 64
# Ballots being committed may carry a time slightly in the past: checkpoints stop short of "now".
SETTLE = timedelta(minutes=1)


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


def _timestamp(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


def link(prev: str, entry: dict[str, Any]) -> str:
    """SHA-256 of the previous link and the entry's canonical JSON (sorted keys, no spaces).

    Written out by hand because it runs for every ballot at every checkpoint; the values (a timestamp,
    a hex digest and two integers) need no escaping, so this is exactly what json.dumps would give.
    """
    body = (f'{{"cast_at":"{entry["cast_at"]}","receipt_hash":"{entry["receipt_hash"]}",'
            f'"revision":{int(entry["revision"])},"seq":{int(entry["seq"])}}}')
    return hashlib.sha256((prev + body).encode()).hexdigest()


async def entries(round_id: int, upto: datetime | None = None) -> list[dict[str, Any]]:
    query = Ballot.select(Ballot.receipt, Ballot.cast_at, Ballot.revision,
                          Ballot.status).where(Ballot.round == round_id)
    if upto is not None:
        query = query.where(Ballot.cast_at < upto)
    rows = await query.order_by(Ballot.cast_at).order_by(Ballot.id)
    chain = GENESIS
    ledger = []
    for seq, row in enumerate(rows, start=1):
        entry = {
            "seq": seq,
            "receipt_hash": receipt_hash(row["receipt"]),
            "cast_at": _timestamp(row["cast_at"]),
            "revision": row["revision"],
            "status": row["status"],
        }
        chain = link(chain, entry)
        entry["chain"] = chain
        ledger.append(entry)
    return ledger


async def checkpoint(round_id: int, upto: datetime) -> dict[str, Any]:
    """Record the chain's head over the ballots accepted before `upto` (once per round and moment)."""
    existing = await LedgerCheckpoint.select().where(
        (LedgerCheckpoint.round == round_id) & (LedgerCheckpoint.upto == upto)
    ).first()
    if existing:
        return existing
    ledger = await entries(round_id, upto)
    row = LedgerCheckpoint(round=round_id, upto=upto, entries=len(ledger),
                           hash=ledger[-1]["chain"] if ledger else GENESIS, created_at=await database_now())
    try:
        await row.save()
    except Exception as exc:
        if not is_unique_violation(exc):
            raise  # another process recorded the same checkpoint first: the same hash, by construction
    return row.to_dict()


async def daily_checkpoints() -> int:
    """A checkpoint for every round taking or having just closed its votes: at the close, or now."""
    now = await database_now()
    made = 0
    rounds = await Round.select(Round.id, Round.voting_closes_at, Round.status).where(
        Round.status.is_in(["voting", "closed"]) | (Round.voting_closes_at > now - timedelta(days=1))
    )
    for row in rounds:
        closes = as_utc(row["voting_closes_at"])
        upto = closes if closes <= now - SETTLE else (now - SETTLE).replace(microsecond=0)
        await checkpoint(row["id"], upto)
        made += 1
    return made


async def checkpoints(round_id: int) -> list[dict[str, Any]]:
    rows = await LedgerCheckpoint.select().where(LedgerCheckpoint.round == round_id).order_by(LedgerCheckpoint.upto)
    return [
        {"upto": _timestamp(r["upto"]), "entries": r["entries"], "hash": r["hash"],
         "created_at": _timestamp(r["created_at"])}
        for r in rows
    ]
