"""budgets.closing's rules, written to fail when one is broken: which rounds each step of the clock moves and
when (the bounds are exact), what closing records, the counting lease, what a count stores and announces,
publishing and its refusals. Services are called directly on the run's database with the moment given, so no
test waits for a clock; rounds are written as rows, since only their times and status matter here."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from budgets import closing, ledger
from budgets.tables import Ballot, Project, Round, RoundResult
from core.tables import AuditEntry
from infra.errors import Conflict
from notify.tables import NotifyEvent

ALMALY = "751110000"
HOUR = timedelta(hours=1)


@pytest.fixture
def now(database) -> datetime:
    # Whole microseconds in the future of every other test's rows, so that a step moves only this test's
    # rounds among those it could, and the instants compared below are exact.
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=3650)


async def a_round(status: str, opens: datetime, closes: datetime, ideas: tuple[datetime, datetime] | None = None,
                  auto_publish: bool = True, **columns) -> int:
    rows = await Round.insert(Round(
        region=ALMALY, title={"kk": "Қатысу бюджеті", "ru": "Бюджет участия"}, budget=100, rule="greedy",
        vote_method="approval", voting_opens_at=opens, voting_closes_at=closes, status=status,
        ideas_opens_at=ideas[0] if ideas else None, ideas_closes_at=ideas[1] if ideas else None,
        auto_publish=auto_publish, created_at=datetime.now(UTC), **columns)).returning(Round.id)
    return rows[0]["id"]


async def status_of(round_id: int) -> str:
    return (await Round.select(Round.status).where(Round.id == round_id).first())["status"]


async def told(round_id: int) -> list[str]:
    rows = await NotifyEvent.select(NotifyEvent.kind).where(
        (NotifyEvent.subject_kind == "round") & (NotifyEvent.subject_id == str(round_id))).order_by(NotifyEvent.id)
    return [row["kind"] for row in rows]


async def logged(round_id: int) -> list[dict]:
    return await AuditEntry.select(AuditEntry.actor, AuditEntry.action, AuditEntry.region_path, AuditEntry.before,
                                   AuditEntry.after).where(AuditEntry.target == f"round:{round_id}").order_by(
        AuditEntry.id).output(load_json=True)


def moved(status: str) -> float:
    return REGISTRY.get_sample_value("dauys_round_transitions_total", {"status": status}) or 0.0


def lag_sum(status: str) -> float:
    return REGISTRY.get_sample_value("dauys_round_transition_lag_seconds_sum", {"status": status}) or 0.0


# The ideas phase: draft → ideas while it runs and voting is ahead; draft or ideas → review after it.


async def test_ideas_open_from_their_first_instant_and_the_region_is_told(now):
    due = await a_round("draft", now + 2 * HOUR, now + 3 * HOUR, ideas=(now, now + HOUR))
    early = await a_round("draft", now + 2 * HOUR, now + 3 * HOUR, ideas=(now + timedelta(seconds=1), now + HOUR))
    count, lag = moved("ideas"), lag_sum("ideas")
    assert due in await closing.open_ideas(now + timedelta(seconds=4))
    assert (await status_of(due), await status_of(early)) == ("ideas", "ideas")
    assert await told(due) == ["round.ideas_opened"]
    assert moved("ideas") >= count + 2 and lag_sum("ideas") >= lag + 4 + 3


async def test_ideas_open_at_the_very_instant_they_are_due(now):
    due = await a_round("draft", now + 2 * HOUR, now + 3 * HOUR, ideas=(now, now + HOUR))
    assert due in await closing.open_ideas(now)
    assert await status_of(due) == "ideas"


async def test_ideas_do_not_open_before_their_opening_or_in_a_round_that_left_draft(now):
    later = await a_round("draft", now + 2 * HOUR, now + 3 * HOUR, ideas=(now + timedelta(seconds=1), now + HOUR))
    in_review = await a_round("review", now + 2 * HOUR, now + 3 * HOUR, ideas=(now - HOUR, now + HOUR))
    without_ideas = await a_round("draft", now + 2 * HOUR, now + 3 * HOUR)
    assert set(await closing.open_ideas(now)).isdisjoint({later, in_review, without_ideas})
    assert await told(later) == []


async def test_a_round_whose_ideas_phase_passed_goes_straight_to_review(now):
    passed = await a_round("draft", now + 2 * HOUR, now + 3 * HOUR, ideas=(now - 2 * HOUR, now))
    assert passed not in await closing.open_ideas(now)
    assert passed in await closing.close_ideas(now)
    assert await status_of(passed) == "review" and await told(passed) == []


async def test_ideas_do_not_open_or_close_once_voting_is_due(now):
    # Voting opens at `now`: opening the voting is the next step, not the ideas phase.
    running = await a_round("draft", now, now + 3 * HOUR, ideas=(now - HOUR, now + HOUR))
    over = await a_round("ideas", now, now + 3 * HOUR, ideas=(now - 2 * HOUR, now - HOUR))
    assert running not in await closing.open_ideas(now)
    assert over not in await closing.close_ideas(now)
    assert (await status_of(running), await status_of(over)) == ("draft", "ideas")


async def test_ideas_close_at_their_closing_instant_and_not_before(now):
    closing_now = await a_round("ideas", now + 2 * HOUR, now + 3 * HOUR, ideas=(now - HOUR, now))
    still_open = await a_round("ideas", now + 2 * HOUR, now + 3 * HOUR, ideas=(now - HOUR, now + timedelta(seconds=1)))
    voting = await a_round("voting", now - HOUR, now + 3 * HOUR, ideas=(now - 3 * HOUR, now - 2 * HOUR))
    review_ids = await closing.close_ideas(now)
    assert closing_now in review_ids and still_open not in review_ids and voting not in review_ids
    assert (await status_of(still_open), await status_of(voting)) == ("ideas", "voting")


# Voting: every status before voting → voting from its opening instant until its closing instant.


@pytest.mark.parametrize("before", ["draft", "ideas", "review"])
async def test_voting_opens_at_its_opening_instant_from_any_status_before_it(now, before):
    due = await a_round(before, now, now + HOUR)
    count = moved("voting")
    assert due in await closing.open_due_rounds(now)
    assert await status_of(due) == "voting" and await told(due) == ["round.voting_opened"]
    assert moved("voting") >= count + 1


async def test_voting_does_not_open_early_after_its_deadline_or_twice(now):
    early = await a_round("review", now + timedelta(seconds=1), now + HOUR)
    missed = await a_round("review", now - HOUR, now)
    closed = await a_round("closed", now - HOUR, now + HOUR)
    opened = set(await closing.open_due_rounds(now))
    assert opened.isdisjoint({early, missed, closed})
    assert [await status_of(r) for r in (early, missed, closed)] == ["review", "review", "closed"]


# Closing: every status not closed → closed at the deadline instant, recorded by the scheduler.


@pytest.mark.parametrize("before", ["draft", "review", "voting"])
async def test_a_round_closes_at_its_deadline_with_the_moment_and_an_audit_entry(now, before):
    due = await a_round(before, now - HOUR, now)
    not_yet = await a_round("voting", now - HOUR, now + timedelta(seconds=1))
    count, lag = moved("closed"), lag_sum("closed")
    closed = await closing.close_due_rounds(now + timedelta(seconds=5))
    assert due in closed and not_yet in closed  # both deadlines have passed 5 s later
    row = await Round.select(Round.status, Round.closed_at).where(Round.id == due).first()
    assert row["status"] == "closed" and row["closed_at"] == now + timedelta(seconds=5)
    assert await logged(due) == [{"actor": "scheduler", "action": "round.close", "region_path": "750000000/751110000/",
                                  "before": None, "after": {"closed_at": (now + timedelta(seconds=5)).isoformat()}}]
    assert moved("closed") >= count + 2 and lag_sum("closed") >= lag + 5 + 4


async def test_a_round_closes_at_the_very_instant_of_its_deadline(now):
    due = await a_round("voting", now - HOUR, now)
    assert due in await closing.close_due_rounds(now)
    assert await status_of(due) == "closed"


async def test_a_round_does_not_close_before_its_deadline_or_again(now):
    not_yet = await a_round("voting", now - HOUR, now + timedelta(seconds=1))
    counted = await a_round("closed", now - 2 * HOUR, now - HOUR, closed_at=now - HOUR)
    published = await a_round("published", now - 2 * HOUR, now - HOUR)
    closed = set(await closing.close_due_rounds(now))
    assert closed.isdisjoint({not_yet, counted, published})
    assert await logged(not_yet) == [] and await status_of(published) == "published"
    assert (await Round.select(Round.closed_at).where(Round.id == counted).first())["closed_at"] == now - HOUR


# Counting: a closed, uncounted round is claimed for a lease; a claim held by another process is left alone.


async def test_a_closed_round_is_claimed_for_the_lease_and_not_again_while_it_runs(now):
    due = await a_round("closed", now - 2 * HOUR, now - HOUR)
    assert due in await closing.claim_counts(now, 30)
    claimed_until = (await Round.select(Round.tally_claimed_until).where(Round.id == due).first())[
        "tally_claimed_until"]
    assert claimed_until == now + timedelta(seconds=30)
    assert due not in await closing.claim_counts(now + timedelta(seconds=29), 30)
    # At the lease's last instant it is still held; after it, another process takes the round over.
    assert due not in await closing.claim_counts(now + timedelta(seconds=30), 30)
    assert due in await closing.claim_counts(now + timedelta(seconds=31), 30)


async def test_only_closed_uncounted_rounds_are_claimed(now):
    voting = await a_round("voting", now - 2 * HOUR, now + HOUR)
    counted = await a_round("closed", now - 2 * HOUR, now - HOUR, tallied_at=now - HOUR)
    published = await a_round("published", now - 2 * HOUR, now - HOUR)
    assert set(await closing.claim_counts(now, 30)).isdisjoint({voting, counted, published})


async def counted_round(now: datetime, auto_publish: bool) -> tuple[int, list[int]]:
    """A closed round of two projects with two ballots for the first and one, set aside, for the second."""
    round_id = await a_round("closed", now - 2 * HOUR, now - HOUR, auto_publish=auto_publish, closed_at=now - HOUR)
    projects = []
    for cost in (60, 50):
        rows = await Project.insert(Project(round=round_id, region=ALMALY, title={"kk": "Жоба", "ru": "Проект"},
                                            cost=cost)).returning(Project.id)
        projects.append(rows[0]["id"])
    for number, (project, status) in enumerate([(projects[0], "counted"), (projects[0], "counted"),
                                                (projects[1], "invalidated")]):
        await Ballot.insert(Ballot(round=round_id, voter=f"closing-{round_id}-{number}", revision=1,
                                   receipt=f"closing-{round_id}-{number}", choices=[[project, 1]],
                                   cast_at=now - 2 * HOUR + timedelta(minutes=number), status=status))
    return round_id, projects


async def test_a_count_stores_the_result_of_the_counted_ballots_and_publishes_when_asked(now):
    round_id, (first, second) = await counted_round(now, auto_publish=True)
    waiting, _ = await counted_round(now, auto_publish=True)
    count = moved("published")
    assert await closing.count_and_store(round_id) is True
    # Another closed round waiting for its own count is left to it.
    other = await Round.select(Round.status, Round.tallied_at).where(Round.id == waiting).first()
    assert other == {"status": "closed", "tallied_at": None}
    assert await RoundResult.count().where(RoundResult.round == waiting) == 0
    # The ledger's final checkpoint pins every ballot accepted before the deadline, the one set aside too.
    [final] = await ledger.checkpoints(round_id)
    assert final["entries"] == 3 and final["upto"] == ledger._timestamp(now - HOUR)
    assert final["hash"] == (await ledger.entries(round_id))[-1]["chain"]
    row = await Round.select(Round.status, Round.tallied_at, Round.published_at).where(Round.id == round_id).first()
    assert row["status"] == "published" and row["tallied_at"] is not None
    assert row["published_at"] == row["tallied_at"]
    result = await RoundResult.select().where(RoundResult.round == round_id).output(load_json=True).first()
    assert (result["rule"], result["budget"], result["spent"], result["voters"]) == ("greedy", 100, 60, 2)
    assert result["computed_at"] == row["tallied_at"]
    assert [(p["project_id"], p["selected"]) for p in result["projects"]] == [(first, True), (second, False)]
    # The file is written from the same snapshot: the ballot set aside is not in it.
    assert "num_votes;2\n" in result["pabulib"] and f"\n{first};60;2;" in result["pabulib"]
    entries = await logged(round_id)
    assert [(e["actor"], e["action"]) for e in entries] == [("scheduler", "round.tally"),
                                                            ("scheduler", "round.publish")]
    assert entries[0]["after"] == {"rule": "greedy", "spent": 60, "voters": 2, "selected": [first]}
    assert entries[1]["before"] == {"status": "closed"}
    assert entries[1]["after"] == {"status": "published", "published_at": row["published_at"].isoformat()}
    assert await told(round_id) == ["round.results_published"]
    assert moved("published") == count + 1
    # A second count of the same round (another process that lost the race) stores nothing.
    assert await closing.count_and_store(round_id) is False
    assert await RoundResult.count().where(RoundResult.round == round_id) == 1
    assert len(await logged(round_id)) == 2


async def test_a_count_without_auto_publish_waits_for_staff(now):
    round_id, _ = await counted_round(now, auto_publish=False)
    count = moved("counted")
    assert await closing.count_and_store(round_id) is True
    row = await Round.select(Round.status, Round.tallied_at, Round.published_at).where(Round.id == round_id).first()
    assert (row["status"], row["published_at"]) == ("closed", None) and row["tallied_at"] is not None
    assert [e["action"] for e in await logged(round_id)] == ["round.tally"]
    assert await told(round_id) == [] and moved("counted") == count + 1


async def test_one_pass_of_the_scheduler_takes_every_step_that_is_due(database, caplog):
    now = datetime.now(UTC)
    round_id = await a_round("voting", now - 2 * HOUR, now - timedelta(seconds=1))
    proposing = await a_round("draft", now + 2 * HOUR, now + 3 * HOUR, ideas=(now - HOUR, now + HOUR))
    reviewing = await a_round("ideas", now + 2 * HOUR, now + 3 * HOUR, ideas=(now - 2 * HOUR, now - HOUR))
    voting = await a_round("review", now - HOUR, now + HOUR)
    with caplog.at_level(logging.INFO, logger="dauys.closing"):
        await closing.advance_rounds(30)
    assert await status_of(round_id) == "published"
    assert [e["action"] for e in await logged(round_id)] == ["round.close", "round.tally", "round.publish"]
    assert [await status_of(r) for r in (proposing, reviewing, voting)] == ["ideas", "review", "voting"]
    said = [r.getMessage() for r in caplog.records if r.name == "dauys.closing"]
    assert f"round {round_id} closed" in said and f"round {round_id} counted" in said


# Staff: closing at once and publishing.


async def test_closing_at_once_moves_the_deadline_to_now_and_records_both(database):
    now = datetime.now(UTC)
    round_id = await a_round("voting", now - HOUR, now + HOUR)
    record = await closing.close_now("staff:7", round_id)
    assert record.status == "closed" and record.closed_at is not None
    assert now <= record.voting_closes_at == record.closed_at <= datetime.now(UTC)
    [entry] = await logged(round_id)
    assert (entry["actor"], entry["action"]) == ("staff:7", "round.close")
    assert entry["before"] == {"status": "voting", "voting_closes_at": (now + HOUR).isoformat()}
    assert entry["after"] == {"status": "closed", "voting_closes_at": record.voting_closes_at.isoformat()}
    # Closing a closed round changes nothing and records nothing.
    again = await closing.close_now("staff:7", round_id)
    assert again == record and len(await logged(round_id)) == 1


async def test_closing_at_once_after_the_deadline_keeps_the_deadline(database):
    now = datetime.now(UTC)
    round_id = await a_round("voting", now - 2 * HOUR, now - HOUR)
    record = await closing.close_now("staff:7", round_id)
    assert record.voting_closes_at == now - HOUR and record.closed_at > now - HOUR


async def test_staff_publish_a_counted_round(database):
    now = datetime.now(UTC)
    round_id, (first, _) = await counted_round(now, auto_publish=False)
    other, _ = await counted_round(now, auto_publish=False)
    await closing.count_and_store(round_id)
    await closing.count_and_store(other)
    results = await closing.publish("staff:7", round_id)
    # Another counted round waits for its own staff decision.
    assert await status_of(other) == "closed"
    row = await Round.select(Round.status, Round.published_at).where(Round.id == round_id).first()
    assert row["status"] == "published" and now <= row["published_at"] <= datetime.now(UTC)
    assert (results["round_id"], results["spent"], results["voters"]) == (round_id, 60, 2)
    assert results["published_at"] == row["published_at"]
    assert [p["project_id"] for p in results["projects"] if p["selected"]] == [first]
    entry = (await logged(round_id))[-1]
    assert (entry["actor"], entry["action"], entry["before"]) == ("staff:7", "round.publish", {"status": "closed"})
    assert entry["after"] == {"status": "published", "published_at": row["published_at"].isoformat()}
    assert await told(round_id) == ["round.results_published"]


async def test_publishing_is_refused_before_closing_and_before_the_count(database):
    now = datetime.now(UTC)
    voting = await a_round("voting", now - HOUR, now + HOUR)
    with pytest.raises(Conflict) as refused:
        await closing.publish("staff:7", voting)
    assert refused.value.detail == f"Round {voting} is voting: only a closed round can be published."
    uncounted = await a_round("closed", now - 2 * HOUR, now - HOUR)
    with pytest.raises(Conflict) as refused:
        await closing.publish("staff:7", uncounted)
    assert refused.value.detail == f"Round {uncounted} is still being counted: try again in a few seconds."
    assert (await status_of(voting), await status_of(uncounted)) == ("voting", "closed")
    assert await logged(voting) == [] and await logged(uncounted) == [] and await told(uncounted) == []
    with pytest.raises(Conflict) as refused:
        await closing.results_of(uncounted)
    assert refused.value.detail == (f"Round {uncounted} has no results yet: they are counted within seconds of "
                                    "voting closing.")
