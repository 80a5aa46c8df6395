"""The round lifecycle that the clock drives: open, close, count and (with auto_publish) publish.

Every step is a compare-and-set on the round's row, so any number of server processes may run it
at once and each round is closed, counted and published exactly once. Counting is claimed with a
lease: if the process counting a round dies, another takes over when the lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from budgets import announcements, ledger
from budgets.records import RoundRecord
from budgets.results import count_round, counted_ballots, results_document, stored_result
from budgets.rounds import BEFORE_VOTING, NOT_CLOSED, get_round
from budgets.tables import Round, RoundResult
from core import audit
from core.clock import as_utc, database_now
from core.regions import region_path
from infra import metrics
from infra.database import write_transaction
from infra.errors import Conflict

log = logging.getLogger("dauys.closing")


async def _move(now: datetime, status: str, where, moment, announce=None) -> list[int]:
    """Move every round matching `where` to `status` (a compare-and-set: each round moves once however many
    processes sweep), tell residents through `announce` in the same transaction, and time the move against
    the round's `moment` column (the deadline it was due at)."""
    async with write_transaction():
        moved = await Round.update({Round.status: status}).where(where).returning(Round.id, moment)
        for row in moved if announce else ():
            await announce(row["id"])
    for row in moved:
        metrics.round_moved(status, as_utc(row[moment._meta.name]), now)
    return [row["id"] for row in moved]


async def open_ideas(now: datetime) -> list[int]:
    """draft → ideas, told to the region; a round whose whole ideas phase passed while Dauys was down
    goes straight on to review (proposing in a closed phase would be refused anyway)."""
    return await _move(now, "ideas", (Round.status == "draft") & (Round.ideas_opens_at <= now)
                       & (Round.ideas_closes_at > now) & (Round.voting_opens_at > now),
                       Round.ideas_opens_at, announcements.ideas_opened)


async def close_ideas(now: datetime) -> list[int]:
    """draft or ideas → review once the ideas phase is over and until voting opens."""
    return await _move(now, "review", Round.status.is_in(["draft", "ideas"]) & (Round.ideas_closes_at <= now)
                       & (Round.voting_opens_at > now), Round.ideas_closes_at)


async def open_due_rounds(now: datetime) -> list[int]:
    return await _move(now, "voting", Round.status.is_in(list(BEFORE_VOTING)) & (Round.voting_opens_at <= now)
                       & (Round.voting_closes_at > now), Round.voting_opens_at, announcements.voting_opened)


async def close_due_rounds(now: datetime) -> list[int]:
    async with write_transaction():
        closed = await Round.update({Round.status: "closed", Round.closed_at: now}).where(
            Round.status.is_in(list(NOT_CLOSED)) & (Round.voting_closes_at <= now)
        ).returning(Round.id, Round.region, Round.voting_closes_at)
        for row in closed:
            await audit.record(audit.SCHEDULER, "round.close", f"round:{row['id']}",
                               await region_path(row["region"]), None, {"closed_at": now.isoformat()})
    for row in closed:
        metrics.round_moved("closed", as_utc(row["voting_closes_at"]), now)
    return [row["id"] for row in closed]


async def claim_counts(now: datetime, lease_seconds: int) -> list[int]:
    claimed = await Round.update({Round.tally_claimed_until: now + timedelta(seconds=lease_seconds)}).where(
        (Round.status == "closed")
        & Round.tallied_at.is_null()
        & (Round.tally_claimed_until.is_null() | (Round.tally_claimed_until < now))
    ).returning(Round.id)
    return [row["id"] for row in claimed]


async def count_and_store(round_id: int) -> bool:
    """Count a claimed round; False when another process stored its count first."""
    round_ = await get_round(round_id)
    # The ledger's final checkpoint: closing waited for every ballot transaction on the round, so no
    # ballot accepted before the deadline can still land.
    await ledger.checkpoint(round_id, round_.voting_closes_at)
    projects, ballots = await counted_ballots(round_id)
    # The rules are pure CPU work: a thread keeps the event loop answering health checks meanwhile.
    count = await asyncio.to_thread(count_round, round_, projects, ballots)
    now = await database_now()
    publish = round_.auto_publish
    values = {Round.tallied_at: now}
    if publish:
        values.update({Round.status: "published", Round.published_at: now})
    async with write_transaction():
        won = await Round.update(values).where(
            (Round.id == round_id) & (Round.status == "closed") & Round.tallied_at.is_null()
        ).returning(Round.id)
        if not won:
            return False
        await RoundResult.insert(
            RoundResult(
                round=round_id,
                rule=round_.rule,
                budget=round_.budget,
                spent=count.spent,
                voters=count.voters,
                projects=count.projects,
                pabulib=count.pabulib,
                computed_at=now,
            )
        )
        path = await region_path(round_.region)
        summary = {"rule": round_.rule, "spent": count.spent, "voters": count.voters,
                   "selected": [p["project_id"] for p in count.projects if p["selected"]]}
        await audit.record(audit.SCHEDULER, "round.tally", f"round:{round_id}", path, None, summary)
        if publish:
            await audit.record(audit.SCHEDULER, "round.publish", f"round:{round_id}", path,
                               {"status": "closed"}, {"status": "published", "published_at": now.isoformat()})
            await announcements.results_published(round_id)
    metrics.round_moved("published" if publish else "counted", round_.voting_closes_at, now)
    return True


async def advance_rounds(lease_seconds: int) -> None:
    """One pass of the scheduler; safe to run in every process at once."""
    now = await database_now()
    await open_ideas(now)
    await close_ideas(now)
    await open_due_rounds(now)
    for round_id in await close_due_rounds(now):
        log.info("round %s closed", round_id)
    for round_id in await claim_counts(now, lease_seconds):
        if await count_and_store(round_id):
            log.info("round %s counted", round_id)


async def close_now(actor: str, round_id: int) -> RoundRecord:
    """Close voting at once (an emergency); closing a closed round changes nothing."""
    async with write_transaction():
        current = await get_round(round_id)
        now = await database_now()
        if current.status in NOT_CLOSED:
            closes_at = min(current.voting_closes_at, now)
            await Round.update(
                {Round.status: "closed", Round.closed_at: now, Round.voting_closes_at: closes_at}
            ).where(Round.id == round_id)
            await audit.record(actor, "round.close", f"round:{round_id}", await region_path(current.region),
                               {"status": current.status,
                                "voting_closes_at": current.voting_closes_at.isoformat()},
                               {"status": "closed", "voting_closes_at": closes_at.isoformat()})
    return await get_round(round_id)


async def publish(actor: str, round_id: int) -> dict:
    async with write_transaction():
        current = await get_round(round_id)
        if current.status != "closed":
            raise Conflict(f"Round {round_id} is {current.status}: only a closed round can be published.")
        if current.tallied_at is None:
            raise Conflict(f"Round {round_id} is still being counted: try again in a few seconds.")
        now = await database_now()
        await Round.update({Round.status: "published", Round.published_at: now}).where(
            (Round.id == round_id) & (Round.status == "closed")
        )
        await audit.record(actor, "round.publish", f"round:{round_id}", await region_path(current.region),
                           {"status": "closed"}, {"status": "published", "published_at": now.isoformat()})
        await announcements.results_published(round_id)
    return await results_of(round_id)


async def results_of(round_id: int) -> dict:
    round_ = await get_round(round_id)
    result = await stored_result(round_id)
    if result is None:
        raise Conflict(
            f"Round {round_id} has no results yet: they are counted within seconds of voting closing."
        )
    return results_document(round_, result)
