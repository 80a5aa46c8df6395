"""The scheduler in real server processes: on time, after a restart, and exactly once among several."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from budgets.tables import Round, RoundResult
from core.tables import AuditEntry
from tests.helpers import open_now, resident, round_with_projects, staff_headers
from tests.servers import Server
from tests.waiting import wait_for

ALMALY = "751110000"


async def reach_deadline(round_id: int) -> None:
    """Move a round's deadline to now, as if the clock had reached it."""
    await Round.update({Round.voting_closes_at: datetime.now(UTC)}).where(Round.id == round_id)


async def wait_published(client, round_id: int) -> None:
    async def published() -> bool:
        return (await client.get(f"/api/v1/rounds/{round_id}/results")).status_code == 200

    await wait_for(published, what=f"round {round_id} published")


async def voting_round(client, outbox, email: str) -> int:
    """A round open for voting, with one ballot in it."""
    staff = await staff_headers(client, email, "Sched-pass-2026", ALMALY)
    round_id, (p1, p2) = await round_with_projects(client, staff, [10, 20], region=ALMALY)
    await open_now(round_id)
    voter = await resident(client, outbox)
    cast = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": p2}]},
                            headers=voter["headers"])
    assert cast.status_code == 200, cast.text
    return round_id


async def test_scheduler_publishes_after_the_deadline_and_catches_up_after_restart(migrated_database, outbox,
                                                                                   work_dir):
    server = Server(work_dir).start()
    try:
        async with server.client() as client:
            round_id = await voting_round(client, outbox, "sched@almaly.kz")
            await reach_deadline(round_id)
            await wait_published(client, round_id)
            results = (await client.get(f"/api/v1/rounds/{round_id}/results")).json()
            assert results["voters"] == 1 and results["spent"] == 20

            late_round = await voting_round(client, outbox, "sched@almaly.kz")
        # Down across a deadline: the round closes and publishes when the server comes back.
        server.stop()
        await reach_deadline(late_round)
        assert (await Round.select(Round.status).where(Round.id == late_round).first())["status"] in ("draft", "voting")
        server.start()
        async with server.client() as client:
            await wait_published(client, late_round)
    finally:
        server.stop()


@pytest.mark.postgres
async def test_two_processes_publish_a_round_exactly_once(migrated_database, outbox, work_dir):
    first, second = Server(work_dir).start(), Server(work_dir, workers=2).start()
    try:
        async with first.client() as client:
            rounds = [await voting_round(client, outbox, "once@almaly.kz") for _ in range(3)]
            for round_id in rounds:
                await reach_deadline(round_id)
            for round_id in rounds:
                await wait_published(client, round_id)
        for round_id in rounds:
            assert await RoundResult.count().where(RoundResult.round == round_id) == 1
            for action in ("round.close", "round.tally", "round.publish"):
                entries = await AuditEntry.count().where(
                    (AuditEntry.target == f"round:{round_id}") & (AuditEntry.action == action)
                )
                assert entries == 1, (round_id, action, entries)
    finally:
        first.stop()
        second.stop()
