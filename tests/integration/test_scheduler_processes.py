"""The scheduler in real server processes: on time, after a restart, and exactly once among several."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from budgets.tables import Round, RoundResult
from core.tables import AuditEntry
from tests.helpers import resident, round_with_projects, staff_headers
from tests.servers import Server

ALMALY = "751110000"


async def schedule(round_id: int, closes_in: float) -> datetime:
    now = datetime.now(UTC)
    closes = now + timedelta(seconds=closes_in)
    await Round.update({Round.voting_opens_at: now - timedelta(seconds=1), Round.voting_closes_at: closes}).where(
        Round.id == round_id
    )
    return closes


async def wait_published(client, round_id: int, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if (await client.get(f"/api/v1/rounds/{round_id}/results")).status_code == 200:
            return time.monotonic() - started
        await asyncio.sleep(0.25)
    raise AssertionError(f"round {round_id} not published within {limit} s")


async def voting_round(client, outbox, email: str, closes_in: float) -> tuple[int, datetime]:
    staff = await staff_headers(client, email, "Sched-pass-2026", ALMALY)
    round_id, (p1, p2) = await round_with_projects(client, staff, [10, 20], region=ALMALY)
    closes = await schedule(round_id, closes_in)
    voter = await resident(client, outbox)
    cast = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": p2}]},
                            headers=voter["headers"])
    assert cast.status_code == 200, cast.text
    return round_id, closes


async def test_scheduler_publishes_within_ten_seconds_and_catches_up_after_restart(
    migrated_database, outbox, work_dir
):
    server = Server(work_dir).start()
    try:
        async with server.client() as client:
            round_id, closes = await voting_round(client, outbox, "sched@almaly.kz", closes_in=3)
            await wait_published(client, round_id, limit=3 + 10)
            assert datetime.now(UTC) - closes < timedelta(seconds=10)
            results = (await client.get(f"/api/v1/rounds/{round_id}/results")).json()
            assert results["voters"] == 1 and results["spent"] == 20

            # Down across a deadline: the round closes and publishes when the server comes back.
            late_round, _ = await voting_round(client, outbox, "sched@almaly.kz", closes_in=2)
        server.stop()
        await asyncio.sleep(3)
        assert (await Round.select(Round.status).where(Round.id == late_round).first())["status"] in ("draft", "voting")
        server.start()
        async with server.client() as client:
            await wait_published(client, late_round, limit=10)
    finally:
        server.stop()


@pytest.mark.postgres
async def test_two_processes_publish_a_round_exactly_once(migrated_database, outbox, work_dir):
    first, second = Server(work_dir).start(), Server(work_dir, workers=2).start()
    try:
        async with first.client() as client:
            rounds = [(await voting_round(client, outbox, "once@almaly.kz", closes_in=4))[0] for _ in range(3)]
            for round_id in rounds:
                await wait_published(client, round_id, limit=15)
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
