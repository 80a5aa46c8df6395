"""Casting's rules, called directly: pseudonyms and source hashes, eligibility (residency at the opening,
region scope, voting age on the opening day in Kazakhstan), the open window and its refusals, and what
the ballot store keeps (see tests/mutation_survivors.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from budgets import casting
from budgets.ballots import Choice
from budgets.records import RoundRecord
from budgets.tables import Ballot, Round
from core.residency import region_at
from core.residents import ResidentRecord
from infra.errors import Conflict, NotAllowed, NotFound
from tests.helpers import round_record, round_with_projects, staff_headers

ALMATY, ALMALY, ALATAU = "750000000", "751110000", "751210000"
# 09:00 in Almaty on 1 March 2026 is 04:00 UTC; 23:30 UTC on 28 February is already 1 March there.
OPENS = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


def round_row(**overrides) -> RoundRecord:
    return round_record(**{"region": ALMATY, "voting_opens_at": OPENS, "voting_closes_at": OPENS + timedelta(days=7),
                           **overrides})


def voter(**overrides) -> casting.Voter:
    values = {"pseudonym": "p", "region": ALMALY, "birth_date": date(1990, 5, 17)}
    values.update(overrides)
    return casting.Voter(**values)


def test_a_pseudonym_is_a_keyed_hash_of_round_and_identity():
    expected = hmac.new(b"key", b"voter:7:iin-hash", hashlib.sha256).hexdigest()
    assert casting.pseudonym("key", 7, "iin-hash") == expected
    assert casting.pseudonym("key", 8, "iin-hash") != expected
    assert casting.pseudonym("other", 7, "iin-hash") != expected


def test_a_source_hash_is_short_keyed_and_absent_for_no_source():
    expected = hmac.new(b"key", b"ip:203.0.113.7", hashlib.sha256).hexdigest()[:16]
    assert casting.source_hash("key", "ip", "203.0.113.7") == expected
    assert casting.source_hash("key", "device", "203.0.113.7") != expected
    assert casting.source_hash("key", "ip", None) is None
    assert casting.source_hash("key", "ip", "") is None


def test_receipts_are_unguessable_and_fit_the_column():
    receipts = {casting.new_receipt() for _ in range(50)}
    assert len(receipts) == 50
    assert all(len(r) == 24 for r in receipts)  # 18 random bytes in URL-safe base64
    assert casting.ATTEMPTS == 16 and casting.OPEN_ROUND_TTL == 5.0


async def test_the_residency_that_counts_is_the_one_at_the_opening():
    asked = []

    async def region_at(moment):
        asked.append(moment)
        return ALATAU

    row = round_row()
    # Registered before (or at) the opening: the current region.
    assert await casting.residency_at_opening(row, voter(region_since=None, region_at=region_at)) == ALMALY
    assert await casting.residency_at_opening(row, voter(region_since=OPENS, region_at=region_at)) == ALMALY
    assert await casting.residency_at_opening(row, voter(region_since=OPENS - timedelta(days=1))) == ALMALY
    assert asked == []
    # Moved after the opening: the residency history answers for the opening moment.
    moved = voter(region_since=OPENS + timedelta(seconds=1), region_at=region_at)
    assert await casting.residency_at_opening(row, moved) == ALATAU
    assert asked == [OPENS]
    assert await casting.residency_at_opening(row, voter(region_since=OPENS + timedelta(hours=1))) is None


async def test_only_residents_of_the_round_region_at_its_opening_are_eligible(client):
    row = round_row(region=ALMALY)
    await casting.check_eligible(row, voter())  # the region's own path is looked up
    await casting.check_eligible(round_row(), voter(), f"{ALMATY}/")  # a district inside the city
    with pytest.raises(NotAllowed) as refused:
        await casting.check_eligible(row, voter(region=ALATAU))
    assert refused.value.args[0] == (
        "This round is for residents of Almaly District when its voting opened; you were registered in "
        "Alatau District then (a move counts for rounds that open after it).")

    async def nowhere(_moment):
        return None

    with pytest.raises(NotAllowed) as refused:
        await casting.check_eligible(row, voter(region_since=OPENS + timedelta(hours=1), region_at=nowhere))
    assert "you were registered in no region then" in refused.value.args[0]


async def test_a_resident_without_residency_is_sent_to_prove_it(client):
    for incomplete in (voter(region=None), voter(birth_date=None)):
        with pytest.raises(NotAllowed) as refused:
            await casting.check_eligible(round_row(), incomplete, f"{ALMATY}/")
        assert refused.value.args[0] == (
            "Prove your residency first: PUT /api/v1/me/residency with your IIN and region.")


@pytest.mark.parametrize(("born", "eligible"), [
    (date(2008, 3, 1), True),    # 18 on the opening day, in Almaty
    (date(2008, 3, 2), False),   # 18 the day after
    (date(2008, 2, 29), True),
    (date(1950, 1, 1), True),
])
async def test_the_voting_age_is_reached_on_the_opening_day_in_kazakhstan(client, born, eligible):
    # Opens at 23:30 UTC on 28 February: already 1 March in Kazakhstan.
    row = round_row(voting_opens_at=datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    if eligible:
        await casting.check_eligible(row, voter(birth_date=born), f"{ALMATY}/")
    else:
        with pytest.raises(NotAllowed) as refused:
            await casting.check_eligible(row, voter(birth_date=born), f"{ALMATY}/")
        assert refused.value.args[0] == "This round is open to residents aged 18 or over on the day voting opens."


async def test_a_round_minimum_age_is_its_own(client):
    row = round_row(min_age=16)
    await casting.check_eligible(row, voter(birth_date=date(2010, 3, 1)), f"{ALMATY}/")
    with pytest.raises(NotAllowed, match="aged 16 or over"):
        await casting.check_eligible(row, voter(birth_date=date(2010, 3, 2)), f"{ALMATY}/")


def test_a_cast_outside_the_window_is_refused_with_its_times():
    row = round_row(status="draft")
    casting._refuse_unless_open(row, OPENS)
    casting._refuse_unless_open(row, OPENS + timedelta(days=7) - timedelta(microseconds=1))
    with pytest.raises(Conflict) as early:
        casting._refuse_unless_open(row, OPENS - timedelta(microseconds=1))
    assert early.value.args[0] == ("Voting in round 41 has not opened yet; it runs from 2026-03-01 09:00 "
                                   "(Kazakhstan time, UTC+5) to 2026-03-08 09:00 (Kazakhstan time, UTC+5).")
    with pytest.raises(Conflict) as late:
        casting._refuse_unless_open(row, OPENS + timedelta(days=7))
    assert late.value.args[0].startswith("Voting in round 41 has closed; it runs from 2026-03-01 09:00 (Kazakhstan")
    with pytest.raises(Conflict, match="has closed"):
        casting._refuse_unless_open(round_row(status="published"), OPENS + timedelta(days=1))


def test_a_stored_ballot_reads_back_from_either_engine():
    row = {"receipt": "r", "cast_at": datetime(2026, 3, 1, 4, 0), "revision": 2, "choices": "[[5, 1], [6, 2]]"}
    assert casting._as_cast(row) == casting.CastBallot("r", OPENS, 2, [(5, 1), (6, 2)])
    assert casting._as_cast({**row, "choices": [[5, 1]]}).choices == [(5, 1)]


async def open_round_with(client, email: str, costs: list[int], **overrides) -> tuple[int, list[int]]:
    staff = await staff_headers(client, email, "Casting-rules-2026", ALMALY)
    round_id, projects = await round_with_projects(client, staff, costs, region=ALMALY, **overrides)
    await Round.update({Round.voting_opens_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        Round.id == round_id)
    return round_id, projects


async def cast(round_id: int, who: casting.Voter, project_ids: list[int], key: str | None = None):
    request = await casting.prepare(round_id, who, [Choice(project_id=p) for p in project_ids], key)
    [outcome] = await casting.store([request])
    if isinstance(outcome, BaseException):
        raise outcome
    return await casting.settle(outcome)


async def test_revisions_supersede_and_a_replayed_key_answers_the_same(client):
    round_id, (first, second) = await open_round_with(client, "casting-revisions@almaly.kz", [10, 20])
    who = voter(pseudonym=f"rev-{round_id}", origin="o-hash", device="d-hash")
    one = await cast(round_id, who, [first], key="k-1")
    assert one.revision == 1 and one.choices == [(first, 1)]
    assert one.cast_at <= datetime.now(UTC) and one.cast_at.tzinfo is not None
    replay = await cast(round_id, who, [second], key="k-1")
    assert replay == one
    two = await cast(round_id, who, [second], key="k-2")
    assert two.revision == 2 and two.receipt != one.receipt and two.choices == [(second, 1)]
    three = await cast(round_id, who, [first, second])
    assert three.revision == 3
    rows = await Ballot.select().where(Ballot.round == round_id).order_by(Ballot.revision)
    assert [(r["revision"], r["status"], r["idempotency_key"]) for r in rows] == [
        (1, "superseded", "k-1"), (2, "superseded", "k-2"), (3, "counted", None)]
    assert all(r["voter"] == who.pseudonym and r["origin"] == "o-hash" and r["device"] == "d-hash" for r in rows)
    assert await casting.current_ballot(round_id, who.pseudonym) == three
    # A quarantined ballot is superseded by the next revision like a counted one.
    await Ballot.update({Ballot.status: "quarantined"}).where(Ballot.receipt == three.receipt)
    four = await cast(round_id, who, [second])
    assert four.revision == 4
    statuses = {r["receipt"]: r["status"] for r in await Ballot.select().where(Ballot.round == round_id)}
    assert statuses[three.receipt] == "superseded" and statuses[four.receipt] == "counted"
    # An invalidated ballot still counts for the next revision number.
    await Ballot.update({Ballot.status: "invalidated"}).where(Ballot.receipt == four.receipt)
    with pytest.raises(NotFound) as none:
        await casting.current_ballot(round_id, who.pseudonym)
    assert none.value.args[0] == f"You have no ballot in round {round_id} yet."
    assert (await cast(round_id, who, [first])).revision == 5


async def test_voters_of_one_batch_are_stored_apart(client):
    round_id, (first, _) = await open_round_with(client, "casting-batch@almaly.kz", [10, 20])
    requests = [await casting.prepare(round_id, voter(pseudonym=f"batch-{round_id}-{n}"), [Choice(project_id=first)],
                                      None) for n in range(3)]
    outcomes = [await casting.settle(o) for o in await casting.store(requests)]
    assert [o.receipt for o in outcomes] == [r.receipt for r in requests]
    assert all(o.revision == 1 for o in outcomes)
    assert await Ballot.count().where((Ballot.round == round_id) & (Ballot.status == "counted")) == 3


async def test_a_receipt_tells_its_round_status_and_hash(client):
    round_id, (first, _) = await open_round_with(client, "casting-receipt@almaly.kz", [10, 20])
    stored = await cast(round_id, voter(pseudonym=f"receipt-{round_id}"), [first])
    status = await casting.receipt_status(stored.receipt)
    assert status == {"round_id": round_id, "status": "counted", "cast_at": stored.cast_at,
                      "receipt_hash": hashlib.sha256(stored.receipt.encode()).hexdigest()}
    with pytest.raises(NotFound) as missing:
        await casting.receipt_status("no-such-receipt")
    assert missing.value.args[0] == "No ballot has this receipt. Check that it was copied in full."


async def test_a_round_not_yet_open_or_closed_refuses_the_cast(client):
    round_id, (first, _) = await open_round_with(client, "casting-window@almaly.kz", [10, 20])
    now = datetime.now(UTC)
    await Round.update({Round.voting_opens_at: now + timedelta(hours=1)}).where(Round.id == round_id)
    casting._open_rounds.pop(round_id, None)
    with pytest.raises(Conflict, match="has not opened yet"):
        await casting.prepare(round_id, voter(pseudonym="early"), [Choice(project_id=first)], None)
    await Round.update({Round.voting_opens_at: now - timedelta(hours=2),
                        Round.voting_closes_at: now - timedelta(hours=1)}).where(Round.id == round_id)
    with pytest.raises(Conflict, match="has closed"):
        await casting.prepare(round_id, voter(pseudonym="late"), [Choice(project_id=first)], None)


async def test_an_open_round_is_remembered_briefly_and_a_stale_one_is_reread(client, monkeypatch):
    round_id, _ = await open_round_with(client, "casting-cache@almaly.kz", [10, 20])
    casting._open_rounds.pop(round_id, None)
    now = [500.0]
    monkeypatch.setattr(casting.time, "monotonic", lambda: now[0])
    loaded = await casting.open_round(round_id)
    assert casting._open_rounds[round_id] == (505.0, loaded)
    assert loaded.path == f"{ALMATY}/{ALMALY}/" and sorted(loaded.costs.values()) == [10, 20]
    assert loaded.round.id == round_id
    await Round.update({Round.budget: 12345}).where(Round.id == round_id)
    now[0] = 504.9
    assert (await casting.open_round(round_id)) is loaded
    assert (await casting.open_round(round_id, fresh=True)).round.budget == 12345
    assert casting._open_rounds[round_id][0] == 504.9 + 5.0
    await Round.update({Round.budget: 54321}).where(Round.id == round_id)
    now[0] = 504.9 + 5.0
    assert (await casting.open_round(round_id)).round.budget == 54321
    # A round not taking votes is not remembered.
    await Round.update({Round.voting_opens_at: datetime.now(UTC) + timedelta(hours=1)}).where(Round.id == round_id)
    casting._open_rounds.pop(round_id, None)
    await casting.open_round(round_id)
    assert round_id not in casting._open_rounds
    casting._open_rounds.pop(round_id, None)



async def stored(request: casting.CastRequest) -> casting.CastBallot:
    [outcome] = await casting.store([request])
    if isinstance(outcome, BaseException):
        raise outcome
    return await casting.settle(outcome)


async def test_the_database_clock_refuses_a_ballot_that_reaches_the_store_after_the_deadline(client):
    """The round still says `voting` (the scheduler has not closed it), and the ballot passed every check
    before the deadline; storing it after the deadline is refused with the round's times, and nothing is kept."""
    round_id, (first, _) = await open_round_with(client, "casting-deadline@almaly.kz", [10, 20])
    request = await casting.prepare(round_id, voter(pseudonym=f"deadline-{round_id}"), [Choice(project_id=first)],
                                    "k-deadline")
    await Round.update({Round.status: "voting",
                        Round.voting_closes_at: datetime.now(UTC) - timedelta(milliseconds=1)}).where(
        Round.id == round_id)
    assert (await Round.select(Round.status).where(Round.id == round_id).first())["status"] == "voting"
    with pytest.raises(Conflict) as late:
        await stored(request)
    assert late.value.args[0].startswith(f"Voting in round {round_id} has closed; it runs from ")
    assert await Ballot.count().where(Ballot.round == round_id) == 0


async def test_requests_sent_together_with_one_key_keep_one_ballot_and_get_its_answer(client):
    round_id, (first, second) = await open_round_with(client, "casting-one-key@almaly.kz", [10, 20])
    who = voter(pseudonym=f"one-key-{round_id}")
    # Each request was prepared (and checked) before any was stored, as when a phone resends at once.
    requests = [await casting.prepare(round_id, who, [Choice(project_id=(first, second)[n % 2])], "k-resent")
                for n in range(6)]
    answers = await asyncio.gather(*(stored(request) for request in requests))
    assert len({answer.receipt for answer in answers}) == 1 and answers[0].revision == 1
    [row] = await Ballot.select(Ballot.receipt, Ballot.status, Ballot.revision).where(Ballot.round == round_id)
    assert (row["receipt"], row["status"], row["revision"]) == (answers[0].receipt, "counted", 1)
    # Another voter's same key is another ballot: keys belong to their voter.
    other = await stored(await casting.prepare(round_id, voter(pseudonym=f"one-key-other-{round_id}"),
                                               [Choice(project_id=first)], "k-resent"))
    assert other.receipt != answers[0].receipt and other.revision == 1


async def test_a_stored_key_replayed_after_the_deadline_gets_its_ballot_back(client):
    """A phone that resends a ballot it already stored, once the deadline has passed, is answered as the first
    time (with the same receipt), not refused: a replay changes nothing, so the deadline does not apply."""
    round_id, (first, second) = await open_round_with(client, "casting-late-replay@almaly.kz", [10, 20])
    who = voter(pseudonym=f"late-replay-{round_id}")
    kept = await stored(await casting.prepare(round_id, who, [Choice(project_id=first)], "k-late"))
    resent = await casting.prepare(round_id, who, [Choice(project_id=second)], "k-late")
    await Round.update({Round.voting_closes_at: datetime.now(UTC) - timedelta(milliseconds=1)}).where(
        Round.id == round_id)
    replayed = await stored(resent)
    assert (replayed.receipt, replayed.revision, replayed.choices) == (kept.receipt, 1, [(first, 1)])
    [row] = await Ballot.select(Ballot.receipt, Ballot.status).where(Ballot.round == round_id)
    assert (row["receipt"], row["status"]) == (kept.receipt, "counted")
    # Another key after the deadline is a new ballot, and the database clock refuses it.
    with pytest.raises(Conflict, match=f"Voting in round {round_id} has closed"):
        await stored(casting.CastRequest(round_id, who, [(second, 1)], "k-later", casting.new_receipt()))


def test_a_voter_is_the_resident_as_casting_sees_them():
    since = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    resident = ResidentRecord(7, "+77010000007", "iin-hash-7", date(1990, 5, 17), ALMALY, since, "kk")
    seen = casting.voter_of("key", resident, 12, address="203.0.113.7", device="device-7")
    assert seen.pseudonym == casting.pseudonym("key", 12, "iin-hash-7")
    assert (seen.region, seen.birth_date, seen.region_since) == (ALMALY, date(1990, 5, 17), since)
    assert seen.origin == casting.source_hash("key", "address", "203.0.113.7")
    assert seen.device == casting.source_hash("key", "device", "device-7")
    # The residency at another moment is asked of this resident's history.
    assert (seen.region_at.func, seen.region_at.args) == (region_at, (7,))
    # Without a proven residency the account has no region to vote in, and its pseudonym is the account's.
    unproven = casting.voter_of("key", replace(resident, iin_hash=None), 12)
    assert unproven.region is None and unproven.pseudonym == casting.pseudonym("key", 12, "unregistered:7")
    assert (unproven.origin, unproven.device) == (None, None)


async def test_a_resident_sees_their_counted_ballot_of_each_round_newest_round_first(client):
    older, (first, _) = await open_round_with(client, "casting-mine-1@almaly.kz", [10, 20])
    newer, (third, _) = await open_round_with(client, "casting-mine-2@almaly.kz", [10, 20])
    resident = ResidentRecord(9001, "+77010009001", f"iin-mine-{older}", date(1990, 5, 17), ALMALY, None, "kk")
    mine = {round_id: casting.pseudonym("key", round_id, resident.iin_hash) for round_id in (older, newer)}
    at = datetime(2026, 3, 1, 9, 0, 30, tzinfo=UTC)

    async def ballot(round_id, voter, receipt, revision=1, status="counted", project=first):
        await Ballot.insert(Ballot(round=round_id, voter=voter, revision=revision, receipt=receipt,
                                   choices=[[project, 1]], cast_at=at + timedelta(minutes=revision), status=status))

    await ballot(older, mine[older], f"mine-old-{older}", project=first)
    await ballot(newer, mine[newer], f"mine-new-1-{older}", status="superseded", project=third)
    await ballot(newer, mine[newer], f"mine-new-2-{older}", revision=2, project=third)
    # Someone else's ballot, and this resident's pseudonym of one round found in another, are not theirs.
    await ballot(newer, casting.pseudonym("key", newer, "someone-else"), f"other-{older}", project=third)
    await ballot(older, mine[newer], f"misplaced-{older}", revision=3)
    assert await casting.ballots_of("key", resident) == [
        (newer, casting.CastBallot(f"mine-new-2-{older}", at + timedelta(minutes=2), 2, [(third, 1)])),
        (older, casting.CastBallot(f"mine-old-{older}", at + timedelta(minutes=1), 1, [(first, 1)])),
    ]
    assert await casting.ballots_of("other-key", resident) == []
