"""`dauys verify` against a real server: a round voted, changed, invalidated, closed and published verifies;
copies of its documents altered the ways a forger would alter them, served from a local HTTP server, fail
naming the check that caught them; and so do edits made behind the server's back in its database."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from budgets import ledger, pabulib
from budgets.ledger import GENESIS, link
from budgets.tables import Ballot, LedgerCheckpoint, Round
from tests.helpers import open_now, resident, round_with_projects, staff_headers
from tests.servers import Server
from tests.waiting import wait_for

ALMALY = "751110000"
CHECKS = ("round is published", "ledger chain", "ledger checkpoints", "voting window", "invalidations",
          "counted ballots", "results.pb is this round's", "recount")


def run_verify(url: str, round_id: int, *extra: str) -> subprocess.CompletedProcess:
    dauys = Path(sys.executable).with_name("dauys")
    return subprocess.run([str(dauys), "verify", "--url", url, "--round", str(round_id), *extra],
                          capture_output=True, text=True, timeout=120)


def verdicts(output: str) -> dict[str, bool]:
    """Each check's line of the report by the check's name: True for OK, False for FAIL, None for SKIP."""
    found = {}
    for line in output.splitlines():
        for name in CHECKS + ("receipt", "saved checkpoints", "recount by pabutools"):
            if line[6:].startswith(name + " "):
                found[name] = {"OK  ": True, "FAIL": False, "SKIP": None}[line[:4]]
    return found


@pytest.fixture(scope="module")
async def published(migrated_database, outbox, work_dir):
    """A round that went through voting and publishing on a running server."""
    server = Server(work_dir).start()
    try:
        async with server.client() as client:
            staff = await staff_headers(client, "verify@almaly.kz", "Verify-pass-2026", ALMALY)
            round_id, projects = await round_with_projects(
                client, staff, [20_000_000, 15_000_000, 30_000_000, 5_000_000, 12_000_000], region=ALMALY)
            await open_now(round_id)
            receipts = []
            for number in range(9):
                voter = await resident(client, outbox)
                picks = [projects[number % 5], projects[(number * 2 + 1) % 5]]
                cast = await client.put(f"/api/v1/rounds/{round_id}/ballot",
                                        json={"choices": [{"project_id": p} for p in sorted(set(picks))]},
                                        headers=voter["headers"])
                assert cast.status_code == 200, cast.text
                receipts.append(cast.json()["receipt"])
                if number % 3 == 0:  # changed minds: superseded entries in the ledger
                    again = await client.put(f"/api/v1/rounds/{round_id}/ballot",
                                             json={"choices": [{"project_id": projects[0]}]}, headers=voter["headers"])
                    assert again.status_code == 200, again.text
                    receipts.append(again.json()["receipt"])
            bought = (await Ballot.select(Ballot.id).where(Ballot.receipt == receipts[-1]).first())["id"]
            review = await client.post(f"/api/v1/admin/rounds/{round_id}/ballots/{bought}/review",
                                       json={"action": "invalidate", "reason": "Confirmed: a bought vote"},
                                       headers=staff)
            assert review.status_code == 200, review.text
            assert (await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)).status_code == 200

            async def published() -> bool:
                return (await client.get(f"/api/v1/rounds/{round_id}/results")).status_code == 200

            await wait_for(published, what=f"round {round_id} published")
            documents = {}
            for suffix in ("", "/results", "/results.pb", "/ledger", "/invalidations"):
                answer = await client.get(f"/api/v1/rounds/{round_id}{suffix}")
                documents[f"/api/v1/rounds/{round_id}{suffix}"] = answer.content
        yield {"server": server, "round_id": round_id, "receipts": receipts, "documents": documents,
               "projects": projects}
    finally:
        server.stop()


async def test_a_published_round_verifies(published):
    round_id = published["round_id"]
    done = run_verify(published["server"].url, round_id, "--receipt", published["receipts"][0])
    assert done.returncode == 0, done.stdout + done.stderr
    assert verdicts(done.stdout) == dict.fromkeys(CHECKS + ("receipt",), True), done.stdout
    assert f"round {round_id}: all 9 checks passed" in done.stdout
    assert "8 counted ballots" in done.stdout and "1 invalidated" in done.stdout and "3 superseded" in done.stdout

    as_json = json.loads(run_verify(published["server"].url, round_id, "--json").stdout)
    assert as_json["ok"] is True and [c["name"] for c in as_json["checks"]] == list(CHECKS)


async def test_pabutools_recounts_the_same_winners(published):
    """A second implementation agrees with the published winners, and disagrees with forged ones."""
    pytest.importorskip("pabutools")
    round_id = published["round_id"]
    done = run_verify(published["server"].url, round_id, "--pabutools")
    assert done.returncode == 0 and verdicts(done.stdout)["recount by pabutools"] is True, done.stdout

    base = f"/api/v1/rounds/{round_id}"
    docs = {"results": published["documents"][f"{base}/results"]}
    swap_a_winner(docs, round_id)
    copy = Copy({**published["documents"], f"{base}/results": docs["results"]})
    try:
        done = await asyncio.to_thread(run_verify, copy.url, round_id, "--pabutools")
    finally:
        copy.close()
    found = verdicts(done.stdout)
    assert done.returncode == 1 and found["recount"] is False and found["recount by pabutools"] is False, done.stdout


class Copy:
    """A tiny web server on 127.0.0.1 that serves fixed bodies by path: a forger's mirror of the API."""

    def __init__(self, bodies: dict[str, bytes], announce_length: bool = True):
        self.bodies = bodies
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                body = outer.bodies.get(self.path)
                self.send_response(200 if body is not None else 404)
                if announce_length:
                    self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rechain(entries: list[dict]) -> None:
    """What a careful forger does after removing an entry: renumber and recompute every link."""
    chain = GENESIS
    for seq, entry in enumerate(entries, start=1):
        entry["seq"] = seq
        chain = entry["chain"] = link(chain, entry)


def alter_ledger_entry(docs, round_id):
    ledger = json.loads(docs["ledger"])
    ledger["entries"][2]["receipt_hash"] = "f" * 64
    docs["ledger"] = json.dumps(ledger).encode()


def drop_entry_and_rechain(docs, round_id):
    ledger = json.loads(docs["ledger"])
    ledger["entries"].pop(1)
    rechain(ledger["entries"])
    docs["ledger"] = json.dumps(ledger).encode()


def swap_a_winner(docs, round_id):
    results = json.loads(docs["results"])
    winner = next(p for p in results["projects"] if p["selected"])
    loser = next(p for p in results["projects"] if not p["selected"])
    winner["selected"], loser["selected"] = False, True
    docs["results"] = json.dumps(results).encode()


def inflate_votes(docs, round_id):
    results = json.loads(docs["results"])
    results["projects"][-1]["votes"] += 5
    results["projects"][-1]["score"] += 5
    docs["results"] = json.dumps(results).encode()


def drop_a_ballot_from_the_file(docs, round_id):
    instance = pabulib.loads(docs["pb"].decode())
    instance.votes.pop()
    docs["pb"] = pabulib.dumps(instance).encode()


def stuff_a_ballot_into_the_file(docs, round_id):
    """A ballot added to the file and to the counts alike: only the ledger's count shows it."""
    instance = pabulib.loads(docs["pb"].decode())
    instance.votes.append({"voter_id": "999", "vote": instance.votes[0]["vote"]})
    docs["pb"] = pabulib.dumps(instance).encode()


def hide_an_invalidation(docs, round_id):
    docs["invalidations"] = b"[]"


def ledger_not_json(docs, round_id):
    docs["ledger"] = b'{"round_id": 1, "entries": [{"seq": '


def file_not_pabulib(docs, round_id):
    docs["pb"] = b"META\nkey;value\nbudget;\"unterminated\n"


TAMPERING: list[tuple[Callable, set[str]]] = [
    (alter_ledger_entry, {"ledger chain"}),
    (drop_entry_and_rechain, {"ledger checkpoints", "voting window", "counted ballots"}),
    (swap_a_winner, {"recount"}),
    (inflate_votes, {"recount"}),
    (drop_a_ballot_from_the_file, {"counted ballots", "recount"}),
    (stuff_a_ballot_into_the_file, {"counted ballots", "recount"}),
    (hide_an_invalidation, {"invalidations"}),
    (ledger_not_json, {"ledger chain"}),
    (file_not_pabulib, {"counted ballots", "results.pb is this round's", "recount"}),
]


@pytest.mark.parametrize("tamper,caught_by", TAMPERING, ids=[t.__name__ for t, _ in TAMPERING])
async def test_a_tampered_copy_fails_naming_the_check(published, tamper, caught_by):
    round_id = published["round_id"]
    base = f"/api/v1/rounds/{round_id}"
    original = published["documents"]
    docs = {"round": original[base], "results": original[f"{base}/results"], "pb": original[f"{base}/results.pb"],
            "ledger": original[f"{base}/ledger"], "invalidations": original[f"{base}/invalidations"]}
    tamper(docs, round_id)
    copy = Copy({base: docs["round"], f"{base}/results": docs["results"], f"{base}/results.pb": docs["pb"],
                 f"{base}/ledger": docs["ledger"], f"{base}/invalidations": docs["invalidations"]})
    try:
        done = await asyncio.to_thread(run_verify, copy.url, round_id)
    finally:
        copy.close()
    assert done.returncode == 1, done.stdout + done.stderr
    failed = {name for name, ok in verdicts(done.stdout).items() if ok is False}
    assert failed == caught_by, done.stdout
    assert "checks FAILED: " in done.stdout


async def test_hostile_servers_are_refused_not_crashed_on(published):
    round_id = published["round_id"]
    base = f"/api/v1/rounds/{round_id}"
    original = published["documents"]
    for announce in (True, False):  # a size announced up front, or found out while reading
        huge = Copy({**original, f"{base}/ledger": b" " * (3 * 1024 * 1024)}, announce_length=announce)
        try:
            done = await asyncio.to_thread(run_verify, huge.url, round_id, "--max-mb", "2")
        finally:
            huge.close()
        assert done.returncode == 2 and "more than the 2,097,152" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr

    missing = Copy({base: original[base]})
    try:
        done = await asyncio.to_thread(run_verify, missing.url, round_id)
    finally:
        missing.close()
    assert done.returncode == 2 and "answered 404" in done.stderr and "Traceback" not in done.stderr


def test_a_recount_that_takes_too_long_runs_out_of_time(monkeypatch):
    """A forged file may be built to make a rule slow: the verifier gives a verdict in bounded time rather
    than hanging. The rule is made to hang here (the engine has no known slow input left to forge)."""
    from click.testing import CliRunner

    from budgets import verification
    from server.commands.verify import verify_command

    costs = {"1": 20_000_000, "2": 15_000_000}
    instance = pabulib.PabulibInstance(
        meta={"budget": "50000000", "vote_type": "approval", "rule": "equalshares/add1"},
        projects={pid: {"cost": str(cost)} for pid, cost in costs.items()},
        votes=[{"voter_id": str(n), "vote": vote} for n, vote in enumerate(["1", "1,2", "2"], start=1)])
    base = "/api/v1/rounds/7"
    round_doc = {"id": 7, "status": "published", "rule": "mes-add1", "budget": 50_000_000,
                 "voting_opens_at": "2026-05-01T00:00:00Z", "voting_closes_at": "2026-05-20T00:00:00Z",
                 "vote": {"method": "approval"}}
    results = {"round_id": 7, "rule": "mes-add1", "budget": 50_000_000, "spent": 0, "voters": 3,
               "projects": [{"project_id": int(pid), "votes": 0, "score": 0, "selected": False, "cost": cost}
                            for pid, cost in costs.items()]}
    copy = Copy({base: json.dumps(round_doc).encode(), f"{base}/results": json.dumps(results).encode(),
                 f"{base}/results.pb": pabulib.dumps(instance).encode(),
                 f"{base}/ledger": b'{"round_id": 7, "entries": [], "checkpoints": []}',
                 f"{base}/invalidations": b"[]"})
    hung = threading.Event()

    def hanging_rule(rule, election):
        hung.set()
        threading.Event().wait(120)  # until the verifier's alarm interrupts it

    monkeypatch.setattr(verification, "tally", hanging_rule)
    try:
        done = CliRunner().invoke(verify_command, ["--url", copy.url, "--round", "7", "--check-timeout", "1"])
    finally:
        copy.close()
    assert hung.is_set()
    assert done.exit_code == 1 and verdicts(done.output)["recount"] is False, done.output
    assert "ran out of time" in done.output


async def test_edits_behind_the_servers_back_fail(published, tmp_path):
    """The server recomputes the ledger from its database, so a deleted ballot leaves a consistent chain;
    the checkpoint published at the close is what no longer matches, and when the forger rewrites that
    too, the copy of it that an observer saved earlier."""
    server, round_id, receipts = published["server"], published["round_id"], published["receipts"]
    saved = tmp_path / "checkpoints.json"
    done = run_verify(server.url, round_id, "--receipt", receipts[4], "--save-checkpoints", str(saved))
    assert done.returncode == 0, done.stdout
    assert len(json.loads(saved.read_text())) >= 1

    await Ballot.update({Ballot.status: "superseded"}).where(Ballot.receipt == receipts[1])
    done = run_verify(server.url, round_id)
    assert done.returncode == 1 and verdicts(done.stdout)["counted ballots"] is False, done.stdout
    await Ballot.update({Ballot.status: "counted"}).where(Ballot.receipt == receipts[1])

    # A superseded revision removed: the counts stay the same, only the ledger's past changes.
    await Ballot.delete().where(Ballot.receipt == receipts[4])
    done = run_verify(server.url, round_id, "--receipt", receipts[4])
    found = verdicts(done.stdout)
    assert done.returncode == 1 and found["ledger checkpoints"] is False and found["receipt"] is False, done.stdout
    assert found["ledger chain"] is True  # recomputed by the server: only a published checkpoint shows the gap

    closes = (await Round.select(Round.voting_closes_at).where(Round.id == round_id).first())["voting_closes_at"]
    await LedgerCheckpoint.delete().where(LedgerCheckpoint.round == round_id)
    await ledger.checkpoint(round_id, closes)
    assert run_verify(server.url, round_id).returncode == 0, "a rewritten past passes without an earlier copy"
    done = run_verify(server.url, round_id, "--checkpoints", str(saved))
    assert done.returncode == 1 and verdicts(done.stdout)["saved checkpoints"] is False, done.stdout
    assert "saved checkpoint 1" in done.stdout


async def test_the_verifier_needs_no_server_configuration(published, tmp_path):
    """An outsider runs it in an empty folder: no settings, no secret file written."""
    dauys = Path(sys.executable).with_name("dauys")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([str(dauys), "verify", "--url", published["server"].url, "--round",
                           str(published["round_id"] + 1000)], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=60)
    assert done.returncode == 2 and "answered 404" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []
    assert httpx.get(f"{published['server'].url}/api/v1/health").status_code == 200


async def test_an_imported_election_is_named_for_what_it_is(client):
    """A past election's ballots all carry its closing moment, so no checkpoint fixes them: the verifier
    says so instead of reporting late ballots, and still recounts the file."""
    from budgets.closing import advance_rounds
    from budgets.importing import import_instance
    from budgets.verification import PublicDocuments, verify

    instance = pabulib.PabulibInstance(
        meta={"budget": "100", "vote_type": "approval", "rule": "greedy", "date_begin": "2024-03-01",
              "date_end": "2024-03-20", "description": "Past election"},
        projects={"a": {"cost": "60"}, "b": {"cost": "50"}, "c": {"cost": "30"}},
        votes=[{"voter_id": str(n), "vote": vote} for n, vote in enumerate(["a", "a,c", "b", "c", "a,b"], 1)])
    report = await import_instance("test", instance, ALMALY)
    await advance_rounds(60)
    staff = await staff_headers(client, "verify-import@almaly.kz", "Verify-pass-2026", ALMALY)
    assert (await client.post(f"/api/v1/admin/rounds/{report.round_id}/publish", headers=staff)).status_code == 200
    base = f"/api/v1/rounds/{report.round_id}"
    bodies = {suffix: (await client.get(base + suffix)).content
              for suffix in ("", "/results", "/results.pb", "/ledger", "/invalidations")}
    checks = {c.name: c for c in verify(report.round_id, PublicDocuments(
        round=bodies[""], results=bodies["/results"], pabulib=bodies["/results.pb"].decode(),
        ledger=bodies["/ledger"], invalidations=bodies["/invalidations"])).checks}
    assert {name for name, c in checks.items() if not c.ok} == {"voting window"}, checks
    assert "imported from a past election" in checks["voting window"].detail
