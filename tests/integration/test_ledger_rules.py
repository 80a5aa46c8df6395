"""The public ballot ledger's rules: what an entry is, its order, its chain, and the checkpoints that pin
the chain's head (see tests/mutation_survivors.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

from budgets import ledger
from budgets.tables import Ballot, LedgerCheckpoint, Round
from tests.helpers import round_with_projects, staff_headers

ALMALY = "751110000"
T0 = datetime(2026, 3, 1, 9, 0, 0, 250000, tzinfo=UTC)


def by_hand(prev: str, entry: dict) -> str:
    body = {key: entry[key] for key in ("seq", "receipt_hash", "cast_at", "revision")}
    return hashlib.sha256((prev + json.dumps(body, sort_keys=True, separators=(",", ":"))).encode()).hexdigest()


def test_a_receipt_is_published_as_its_sha256():
    assert ledger.receipt_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    assert ledger.GENESIS == "0" * 64


def test_a_link_is_the_sha256_of_the_previous_link_and_the_canonical_entry():
    entry = {"seq": 12, "receipt_hash": "f" * 64, "cast_at": "2026-03-01T09:00:00.250000Z", "revision": 3,
             "status": "superseded", "chain": "not part of it"}
    assert ledger.link(ledger.GENESIS, entry) == by_hand(ledger.GENESIS, entry)
    assert ledger.link("a" * 64, entry) == by_hand("a" * 64, entry)
    # The status is left out: a published review does not change the chain.
    assert ledger.link("a" * 64, {**entry, "status": "invalidated"}) == ledger.link("a" * 64, entry)
    assert ledger.link("a" * 64, {**entry, "revision": "3", "seq": "12"}) == ledger.link("a" * 64, entry)


def test_times_are_utc_with_a_z():
    assert ledger._timestamp(T0) == "2026-03-01T09:00:00.250000Z"
    assert ledger._timestamp(T0.astimezone(timezone(timedelta(hours=5)))) == "2026-03-01T09:00:00.250000Z"
    assert ledger._timestamp(datetime(2026, 3, 1, 9, 0)) == "2026-03-01T09:00:00Z"


async def new_round(client, email: str, closes_in: timedelta) -> int:
    staff = await staff_headers(client, email, "Ledger-rules-2026", ALMALY)
    round_id, _ = await round_with_projects(client, staff, [10], region=ALMALY)
    now = datetime.now(UTC)
    await Round.update({Round.voting_opens_at: now - timedelta(days=2),
                        Round.voting_closes_at: now + closes_in}).where(Round.id == round_id)
    return round_id


async def add_ballot(round_id: int, receipt: str, at: datetime, revision: int = 1, status: str = "counted") -> None:
    await Ballot.insert(Ballot(round=round_id, voter=f"v-{receipt}", revision=revision, receipt=receipt,
                               choices=[[1, 1]], cast_at=at, status=status))


async def test_entries_follow_the_order_of_acceptance_and_chain_up(client):
    round_id = await new_round(client, "ledger-order@almaly.kz", timedelta(days=1))
    # Inserted out of time order; two share a time and then go by id.
    await add_ballot(round_id, "rc-late", T0 + timedelta(seconds=5), revision=2, status="superseded")
    await add_ballot(round_id, "rc-early", T0)
    await add_ballot(round_id, "rc-tie-1", T0 + timedelta(seconds=2))
    await add_ballot(round_id, "rc-tie-2", T0 + timedelta(seconds=2), status="invalidated")
    listed = await ledger.entries(round_id)
    assert [e["receipt_hash"] for e in listed] == [ledger.receipt_hash(r) for r in
                                                   ("rc-early", "rc-tie-1", "rc-tie-2", "rc-late")]
    assert [e["seq"] for e in listed] == [1, 2, 3, 4]
    assert listed[0] == {"seq": 1, "receipt_hash": ledger.receipt_hash("rc-early"),
                         "cast_at": "2026-03-01T09:00:00.250000Z", "revision": 1, "status": "counted",
                         "chain": by_hand(ledger.GENESIS, listed[0])}
    assert listed[3]["revision"] == 2 and listed[3]["status"] == "superseded"
    assert listed[2]["status"] == "invalidated"
    chain = ledger.GENESIS
    for entry in listed:
        chain = by_hand(chain, entry)
        assert entry["chain"] == chain
    # `upto` is exclusive: a ballot at that very moment is left to the next checkpoint.
    upto = await ledger.entries(round_id, T0 + timedelta(seconds=2))
    assert upto == listed[:1]
    assert await ledger.entries(round_id, T0) == []


async def test_a_checkpoint_pins_the_head_once_per_moment(client):
    round_id = await new_round(client, "ledger-checkpoint@almaly.kz", timedelta(days=1))
    empty = await ledger.checkpoint(round_id, T0)
    assert empty["entries"] == 0 and empty["hash"] == ledger.GENESIS
    await add_ballot(round_id, "ck-1", T0)
    await add_ballot(round_id, "ck-2", T0 + timedelta(seconds=1))
    first = await ledger.checkpoint(round_id, T0 + timedelta(seconds=1))
    head = (await ledger.entries(round_id))[0]["chain"]
    assert first["entries"] == 1 and first["hash"] == head and first["round"] == round_id
    # Asked again for the same moment (even after more ballots), the stored checkpoint is the answer.
    await add_ballot(round_id, "ck-3", T0 + timedelta(microseconds=500))
    again = await ledger.checkpoint(round_id, T0 + timedelta(seconds=1))
    assert again["id"] == first["id"] and again["entries"] == 1 and again["hash"] == head
    assert await LedgerCheckpoint.count().where(LedgerCheckpoint.round == round_id) == 2
    # Another round's checkpoint, in between by time, is not this round's.
    other_id = await new_round(client, "ledger-checkpoint-other@almaly.kz", timedelta(days=1))
    await ledger.checkpoint(other_id, T0 + timedelta(microseconds=700000))
    listed = await ledger.checkpoints(round_id)
    assert [(c["upto"], c["entries"], c["hash"]) for c in listed] == [
        ("2026-03-01T09:00:00.250000Z", 0, ledger.GENESIS), ("2026-03-01T09:00:01.250000Z", 1, head)]
    assert all(c["created_at"].endswith("Z") for c in listed) and set(listed[0]) == {
        "upto", "entries", "hash", "created_at"}


async def test_checkpoints_of_one_moment_asked_together_keep_one_row_and_one_answer(client):
    """Every process's scheduler checkpoints the same rounds at the same moment; the losers of the race to
    store it answer with the same head and store nothing."""
    round_id = await new_round(client, "ledger-checkpoint-race@almaly.kz", timedelta(days=1))
    await add_ballot(round_id, "race-1", T0)
    answers = await asyncio.gather(*(ledger.checkpoint(round_id, T0 + timedelta(seconds=1)) for _ in range(6)))
    head = (await ledger.entries(round_id))[0]["chain"]
    assert {(a["round"], a["entries"], a["hash"]) for a in answers} == {(round_id, 1, head)}
    assert await LedgerCheckpoint.count().where(LedgerCheckpoint.round == round_id) == 1


async def test_daily_checkpoints_stop_at_the_close_or_a_minute_before_now(client):
    """A round gets its day's checkpoint while it takes votes or is closed (whenever it closed), or when its
    votes closed within the last day (whatever its status)."""
    async def round_(name: str, closes_in: timedelta, status: str) -> int:
        round_id = await new_round(client, f"ledger-daily-{name}@almaly.kz", closes_in)
        await Round.update({Round.status: status}).where(Round.id == round_id)
        return round_id

    open_id = await round_("open", timedelta(days=1), "voting")
    closed_id = await round_("closed", -timedelta(minutes=2), "closed")
    just_id = await round_("just", -timedelta(seconds=30), "closed")
    # The scheduler has not closed it for three days: its status alone brings it in.
    late_id = await round_("late", -timedelta(days=3), "voting")
    long_closed_id = await round_("long-closed", -timedelta(days=3), "closed")
    # Published an hour after its close: the last day's close alone brings it in.
    published_id = await round_("published", -timedelta(hours=1), "published")
    # Neither: published, and its votes closed a day and a half ago.
    old_id = await round_("old", -timedelta(hours=36), "published")
    before = datetime.now(UTC)
    made = await ledger.daily_checkpoints()
    after = datetime.now(UTC)
    rows = await Round.select(Round.id, Round.status, Round.voting_closes_at)
    due = {r["id"] for r in rows if r["status"] in ("voting", "closed")
           or r["voting_closes_at"].astimezone(UTC) > before - timedelta(days=1)}
    assert made == len(due)
    assert {open_id, closed_id, just_id, late_id, long_closed_id, published_id} <= due and old_id not in due
    closes = {r["id"]: r["voting_closes_at"] for r in rows}
    for round_id in (closed_id, late_id, long_closed_id, published_id):
        [at_close] = await LedgerCheckpoint.select().where(LedgerCheckpoint.round == round_id)
        assert at_close["upto"] == closes[round_id]
    for round_id in (open_id, just_id):
        [moving] = await LedgerCheckpoint.select().where(LedgerCheckpoint.round == round_id)
        upto = moving["upto"].astimezone(UTC)
        assert upto.microsecond == 0
        assert (before - ledger.SETTLE).replace(microsecond=0) <= upto <= after - ledger.SETTLE
    assert await LedgerCheckpoint.count().where(LedgerCheckpoint.round == old_id) == 0
    assert ledger.SETTLE == timedelta(minutes=1)
