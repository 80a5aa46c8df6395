"""A nightly backup restores in the middle of a vote (README, "Backups and restore").

While residents keep voting through the HTTP API, `pg_dump -Fc` takes the database; the running server
then goes away (the outage), and the dump is restored with `pg_restore` into a fresh database that Dauys
is started on. What was acknowledged before the dump began is there by its receipt, the audit log and
the ledgers verify, a round whose deadline passed during the outage closes exactly once, and what was
acknowledged after the dump is gone, which the checkpoint published meanwhile shows to anyone.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from budgets import ledger
from budgets.verification import verify_ledger
from core.clock import database_now
from tests.faults.steps import Answers, keep_voting
from tests.helpers import open_now, resident, round_with_projects, staff_headers
from tests.servers import Server
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres

ALMALY = "751110000"
VOTERS = 16
# The deadline of the round that falls due during the outage, counted from the start of the dump.
DUE_AFTER_DUMP = timedelta(seconds=6)


async def sql(url: str, statement: str, *args) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(statement, *args)
    finally:
        await connection.close()


async def receipt_statuses(client: httpx.AsyncClient, receipts: list[str]) -> dict[str, tuple[int, str | None]]:
    """Each receipt's answer on the receipts page: its HTTP status, and the ballot's status when found."""
    found = {}
    for receipt in receipts:
        answer = await client.get(f"/api/v1/receipts/{receipt}")
        found[receipt] = (answer.status_code, answer.json().get("status") if answer.status_code == 200 else None)
    return found


def run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})})
    assert done.returncode == 0, f"{' '.join(command)}: {done.stdout}{done.stderr}"
    return done


class Voting:
    """Voters casting ballot after ballot; receipts are kept in the order their acknowledgements arrived."""

    def __init__(self, url: str, voters: list[dict], round_id: int, projects: list[int]):
        self.answers, self.stop = Answers(), asyncio.Event()
        # At most 25 each: with one ballot in the due round and one after the restore, a voter stays under
        # the 30 ballots per 10 minutes a resident may cast, so no 429 muddles what is tested.
        self.tasks = [asyncio.create_task(keep_voting(url, voter, round_id, projects, self.stop, self.answers,
                                                      pause=0.5, limit=25)) for voter in voters]

    async def end(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)


async def test_a_dump_taken_during_a_vote_restores(migrated_database, outbox, work_dir, tmp_path):
    source_url = migrated_database
    restored_url = source_url.rsplit("/", 1)[0] + "/" + source_url.rsplit("/", 1)[1] + "_restored"
    admin_url = source_url.rsplit("/", 1)[0] + "/postgres"
    server = Server(work_dir).start()
    try:
        async with server.client() as client:
            staff = await staff_headers(client, "backup@almaly.kz", "Backup-pass-2026", ALMALY)
            voting_round, projects = await round_with_projects(client, staff, [10, 20, 30, 40], region=ALMALY,
                                                               budget=60)
            due_round, due_projects = await round_with_projects(client, staff, [10, 20], region=ALMALY, budget=25)
            for round_id in (voting_round, due_round):
                await open_now(round_id)
            voters = [await resident(client, outbox, ALMALY) for _ in range(VOTERS)]
            for voter in voters[:5]:
                cast = await client.put(f"/api/v1/rounds/{due_round}/ballot", headers=voter["headers"],
                                        json={"choices": [{"project_id": due_projects[1]}]})
                assert cast.status_code == 200, cast.text

        voting = Voting(server.url, voters, voting_round, projects)
        await wait_for(lambda: len(voting.answers.receipts) >= 3 * VOTERS, what="ballots flowing")
        # A checkpoint published before the backup (the nightly job's, taken early): the restore keeps it.
        early = (await database_now()) - timedelta(seconds=1)
        await ledger.checkpoint(voting_round, early)
        await sql(source_url, "UPDATE round SET voting_closes_at = now() + $1::interval WHERE id = $2",
                  DUE_AFTER_DUMP, due_round)

        dump = tmp_path / "dauys.dump"
        # Acknowledged before the dump starts: in it. Acknowledged once it has finished: not in it.
        before_dump = len(voting.answers.receipts)
        await asyncio.to_thread(run, "pg_dump", "-Fc", "--no-owner", "-f", str(dump), source_url)
        after_dump = len(voting.answers.receipts)
        # Residents go on voting after the dump, until the outage: these ballots are what a restore loses.
        await wait_for(lambda: len(voting.answers.receipts) - after_dump >= VOTERS, what="ballots after the dump")
        await voting.end()
        assert set(voting.answers.statuses) == {200}, voting.answers.statuses
        # What the public saw meanwhile: a checkpoint over everything acknowledged, later ballots included.
        seen = await ledger.checkpoint(voting_round, await database_now())
        server.stop()
    finally:
        server.stop()

    before = voting.answers.receipts[:before_dump]
    after = voting.answers.receipts[after_dump:]
    assert len(before) >= 3 * VOTERS and len(after) >= VOTERS

    # The outage lasts past the due round's deadline.
    await sql(admin_url, f'DROP DATABASE IF EXISTS "{restored_url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await sql(admin_url, f'CREATE DATABASE "{restored_url.rsplit("/", 1)[1]}"')
    try:
        await asyncio.to_thread(run, "pg_restore", "--no-owner", "--exit-on-error", "-d", restored_url, str(dump))
        (due,) = await sql(restored_url, "SELECT status, voting_closes_at FROM round WHERE id = $1", due_round)
        assert due["status"] in ("draft", "voting"), "the dump came after the due round closed: it tests nothing"

        async def deadline_passed() -> bool:
            (row,) = await sql(restored_url, "SELECT now() > voting_closes_at AS passed FROM round WHERE id = $1",
                               due_round)
            return row["passed"]

        await wait_for(deadline_passed, what="the due round's deadline passing during the outage")

        # Two processes on the restored database: the due round must still close exactly once.
        restored = Server(work_dir, workers=2, env={"DAUYS_DATABASE_URL": restored_url}).start()
        try:
            async with restored.client() as client:
                kept = await receipt_statuses(client, before)
                missing = {r: answer for r, answer in kept.items() if answer[1] not in ("counted", "superseded")}
                assert not missing, f"acknowledged before the dump, not restored: {missing}"
                gone = await receipt_statuses(client, after)
                assert {answer for answer in gone.values()} == {(404, None)}, \
                    "ballots acknowledged after the dump finished cannot be in it"

                for round_id in (voting_round, due_round):
                    chain = verify_ledger(round_id, (await client.get(f"/api/v1/rounds/{round_id}/ledger")).content)
                    assert chain.ok, [vars(c) for c in chain.checks]
                ledger_now = json.loads((await client.get(f"/api/v1/rounds/{voting_round}/ledger")).content)
                assert early.isoformat().replace("+00:00", "Z") in [c["upto"] for c in ledger_now["checkpoints"]]

                # Whoever saved the checkpoint published before the outage sees that entries are missing.
                kept = [{"upto": seen["upto"].isoformat().replace("+00:00", "Z"), "entries": seen["entries"],
                         "hash": seen["hash"]}]
                report = verify_ledger(voting_round, json.dumps(ledger_now).encode(), json.dumps(kept).encode())
                assert [c.ok for c in report.checks] == [True, True, False], [vars(c) for c in report.checks]
                assert "entries it covered are gone" in report.checks[-1].detail, report.checks[-1]

                async def published():
                    return (await client.get(f"/api/v1/rounds/{due_round}/results")).status_code == 200

                await wait_for(published, what="the due round published after the restart")
                results = (await client.get(f"/api/v1/rounds/{due_round}/results")).json()
                assert results["voters"] == 5 and [p["project_id"] for p in results["projects"] if p["selected"]] \
                    == [due_projects[1]]

                # Voting goes on in the round still open, with the tokens residents already hold.
                cast = await client.put(f"/api/v1/rounds/{voting_round}/ballot", headers=voters[0]["headers"],
                                        json={"choices": [{"project_id": projects[0]}]})
                assert cast.status_code == 200, cast.text

                # More sweeps after the due round's publication, where a second close, count or publication
                # of it would happen: seen to have run once the other round, made due now, is published.
                await sql(restored_url, "UPDATE round SET voting_closes_at = now() WHERE id = $1", voting_round)

                async def later_published():
                    return (await client.get(f"/api/v1/rounds/{voting_round}/results")).status_code == 200

                await wait_for(later_published, what="sweeps after the due round's publication")
            for action in ("round.close", "round.tally", "round.publish"):
                (row,) = await sql(restored_url, "SELECT count(*) AS n FROM audit_entry WHERE target = $1 AND "
                                   "action = $2", f"round:{due_round}", action)
                assert row["n"] == 1, (action, row["n"])
            (row,) = await sql(restored_url, "SELECT count(*) AS n FROM round_result WHERE round = $1", due_round)
            assert row["n"] == 1

            audit = run(str(Path(sys.executable).with_name("dauys")), "audit", "verify",
                        env={"DAUYS_DATABASE_URL": restored_url})
            assert audit.stdout.startswith("audit chain ok: ")
            verified = run(str(Path(sys.executable).with_name("dauys")), "verify", "--url", restored.url, "--round",
                           str(due_round))
            assert verified.stdout.rstrip().endswith("checks passed"), verified.stdout
            assert httpx.get(f"{restored.url}/api/v1/ready", timeout=5).status_code == 200
        finally:
            restored.stop()
    finally:
        await sql(admin_url, f'DROP DATABASE IF EXISTS "{restored_url.rsplit("/", 1)[1]}" WITH (FORCE)')
