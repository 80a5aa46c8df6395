"""A server process killed with SIGKILL while its notification worker fans an event out to 20,000 followers:
after a restart every follower has the event in their feed exactly once and gets its SMS (at least once:
a kill between the gateway's answer and the commit of `sent` may send one again, never none)."""

from __future__ import annotations

import json
import os
import signal
from datetime import UTC, datetime

import asyncpg
import pytest

from tests.faults.steps import sql
from tests.servers import Server
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres

FOLLOWERS = 20_000
TARGET = "fault-round"


async def _followers(database: str) -> list[str]:
    """Residents following a round, loaded in bulk: what is tested is the fan-out, not signing up."""
    now = datetime.now(UTC)
    phones = [f"+7707{number:07d}" for number in range(FOLLOWERS)]
    connection = await asyncpg.connect(database)
    try:
        await connection.copy_records_to_table(
            "resident", records=[(phone, "711110000", "kk", now) for phone in phones],
            columns=["phone", "region", "language", "created_at"])
        await connection.execute(
            "INSERT INTO notify_follow (resident, kind, target, created_at) "
            "SELECT id, 'round', $1, $2 FROM resident WHERE phone LIKE '+7707%'", TARGET, now)
    finally:
        await connection.close()
    return phones


async def _event(database: str) -> dict:
    rows = await sql(database, "SELECT id, state, cursor FROM notify_event WHERE subject_id = $1", TARGET)
    return dict(rows[0])


async def test_a_worker_killed_mid_fan_out_loses_nothing_and_shows_nothing_twice(environment, sms_outbox, tmp_path):
    database = environment["DAUYS_DATABASE_URL"]
    phones = await _followers(database)
    server = Server(tmp_path, env=environment)
    # The event as budgets.announcements writes it (its round need not exist for the worker).
    await sql(database, "INSERT INTO notify_event (kind, subject_kind, subject_id, audience, payload, created_at, "
                        "state, attempts, next_attempt_at, cursor) VALUES ('round.results_published', 'round', $3, "
                        "$1, $2, now(), 'pending', 0, now(), 0)",
              json.dumps({"follows": [["round", TARGET]], "region": None}),
              json.dumps({"round_id": 1, "title": {"kk": "Қатысу бюджеті"}}), TARGET)
    server.start()
    # Killed once some batches are committed and more are to come: in the middle of the fan-out.
    event = await wait_for(lambda: _mid_fan_out(database), what="the fan-out under way", every=0.02)
    server.stop(signal.SIGKILL)
    after_kill = await _event(database)
    assert after_kill["state"] == "pending" and 0 < after_kill["cursor"], (event, after_kill)

    server = Server(tmp_path, env=environment).start()
    try:
        await wait_for(lambda: _all_sent(database), timeout=300, what="every SMS sent after the restart", every=0.5)
    finally:
        server.stop()
    fed = await sql(database, "SELECT count(*) AS items, count(DISTINCT resident) AS people FROM notify_feed_item "
                              "WHERE event = $1", after_kill["id"])
    assert (fed[0]["items"], fed[0]["people"]) == (FOLLOWERS, FOLLOWERS)
    texts = [json.loads(line) for line in sms_outbox.read_text(encoding="utf-8").splitlines()]
    reached = {message["to"] for message in texts if "/rounds/1/results" in message["text"]}
    assert reached == set(phones)
    # In the followers' language, from the catalogue, with the link to the results on the resident site.
    assert {message["text"] for message in texts if message["to"] in reached} == {
        f"Нәтижелер жарияланды: {os.environ['DAUYS_PUBLIC_URL']}/rounds/1/results"}


async def _mid_fan_out(database: str) -> dict | None:
    event = await _event(database)
    return event if event["state"] == "pending" and event["cursor"] > 0 else None


async def _all_sent(database: str) -> bool:
    event = await _event(database)
    rows = await sql(database, "SELECT state, count(*) AS n FROM notify_delivery WHERE event = $1 GROUP BY state",
                     event["id"])
    states = {row["state"]: row["n"] for row in rows}
    return event["state"] == "done" and states.get("sent", 0) == FOLLOWERS and not states.get("queued")
