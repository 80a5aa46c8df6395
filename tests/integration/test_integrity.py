"""Staff review with published reasons, the public ledger and its checkpoints, anomalies, the recount."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from budgets import integrity, ledger
from budgets.closing import advance_rounds
from budgets.integrity import WINDOW, window_of
from budgets.tables import Ballot
from core.tables import AuditEntry
from tests.helpers import open_now, resident, round_with_projects, staff_headers

ALMALY = "751110000"


async def setup_round(client, outbox, email: str, voters: int = 3):
    staff = await staff_headers(client, email, "Integrity-pass-2026", ALMALY)
    round_id, projects = await round_with_projects(client, staff, [10, 20], region=ALMALY)
    await open_now(round_id)
    receipts = []
    for number in range(voters):
        who = await resident(client, outbox)
        cast = await client.put(f"/api/v1/rounds/{round_id}/ballot",
                                json={"choices": [{"project_id": projects[number % 2]}]}, headers=who["headers"])
        receipts.append(cast.json()["receipt"])
    return staff, round_id, projects, receipts


async def ballot_id(receipt: str) -> int:
    return (await Ballot.select(Ballot.id).where(Ballot.receipt == receipt).first())["id"]


async def test_an_invalidation_needs_a_reason_and_is_published(client, outbox):
    staff, round_id, projects, receipts = await setup_round(client, outbox, "review@almaly.kz")
    target = await ballot_id(receipts[0])
    url = f"/api/v1/admin/rounds/{round_id}/ballots/{target}/review"
    assert (await client.post(url, json={"action": "invalidate", "reason": "no"}, headers=staff)).status_code == 422
    assert (await client.post(url, json={"action": "delete", "reason": "x" * 20}, headers=staff)).status_code == 422
    quarantined = await client.post(url, json={"action": "quarantine", "reason": "Burst from one device"},
                                    headers=staff)
    assert quarantined.status_code == 200 and quarantined.json()["status"] == "quarantined"
    invalid = await client.post(url, json={"action": "invalidate", "reason": "Confirmed: bought vote"}, headers=staff)
    assert invalid.json()["status"] == "invalidated"
    again = await client.post(url, json={"action": "invalidate", "reason": "Confirmed: bought vote"}, headers=staff)
    assert again.status_code == 409
    assert (await client.get(f"/api/v1/receipts/{receipts[0]}")).json()["status"] == "invalidated"
    public = (await client.get(f"/api/v1/rounds/{round_id}/invalidations")).json()
    assert public == [{"receipt_hash": hashlib.sha256(receipts[0].encode()).hexdigest(), "status": "invalidated",
                       "reason": "Confirmed: bought vote", "at": public[0]["at"]}]
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.target == f"ballot:{target}").order_by(AuditEntry.id)]
    assert actions == ["ballot.quarantine", "ballot.invalidate"]

    await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
    await advance_rounds(60)
    results = (await client.get(f"/api/v1/rounds/{round_id}/results")).json()
    assert results["voters"] == 2
    late = await client.post(f"/api/v1/admin/rounds/{round_id}/ballots/{await ballot_id(receipts[1])}/review",
                             json={"action": "invalidate", "reason": "Too late to change the count"}, headers=staff)
    assert late.status_code == 409


async def test_the_ledger_lists_every_ballot_and_its_checkpoint_exposes_removals(client, outbox):
    staff, round_id, projects, receipts = await setup_round(client, outbox, "ledger@almaly.kz", voters=4)
    await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
    await advance_rounds(60)
    public = (await client.get(f"/api/v1/rounds/{round_id}/ledger")).json()
    mine = (await client.get(f"/api/v1/receipts/{receipts[2]}")).json()["receipt_hash"]
    assert mine in [entry["receipt_hash"] for entry in public["entries"]]
    assert [entry["seq"] for entry in public["entries"]] == [1, 2, 3, 4]
    [final] = public["checkpoints"]
    assert final["entries"] == 4 and final["hash"] == public["entries"][-1]["chain"]
    # Anyone can recompute the chain from the entries alone.
    chain = ledger.GENESIS
    for entry in public["entries"]:
        chain = ledger.link(chain, entry)
    assert chain == final["hash"]
    # A ballot removed behind everyone's back no longer adds up to the published checkpoint.
    await Ballot.delete().where(Ballot.receipt == receipts[1])
    recomputed = await ledger.entries(round_id, datetime.fromisoformat(final["upto"]))
    assert (recomputed[-1]["chain"] if recomputed else ledger.GENESIS) != final["hash"]


async def test_a_burst_from_one_device_is_flagged_once(client, outbox):
    staff, round_id, projects, _ = await setup_round(client, outbox, "burst@almaly.kz", voters=1)
    current = window_of(datetime.now(UTC)) - WINDOW
    burst = [Ballot(round=round_id, voter=f"stuffed-{i}", revision=1, receipt=f"burst-{round_id}-{i}",
                    choices=[[projects[0], 1]], cast_at=current + timedelta(seconds=i % 290), status="counted",
                    device="same-phone", origin="one-address") for i in range(120)]
    await Ballot.insert(*burst)
    assert await integrity.detect_anomalies() >= 2
    assert await integrity.detect_anomalies() == 0
    found = (await client.get(f"/api/v1/admin/rounds/{round_id}/anomalies", headers=staff)).json()
    kinds = {item["kind"] for item in found}
    assert {"surge", "device_cluster", "address_cluster"} <= kinds
    cluster = next(item for item in found if item["kind"] == "device_cluster")
    assert len(cluster["detail"]["ballots"]) == 120


async def test_the_nightly_recount_raises_an_alarm_on_any_difference(client, outbox):
    staff, round_id, projects, receipts = await setup_round(client, outbox, "recount@almaly.kz")
    await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
    await advance_rounds(60)
    assert round_id not in await integrity.recount_all()
    await Ballot.update({Ballot.choices: json.dumps([[projects[1], 1]])}).where(Ballot.receipt == receipts[0])
    assert round_id in await integrity.recount_all()
    alarm = await AuditEntry.select().where(
        (AuditEntry.target == f"round:{round_id}") & (AuditEntry.action == "round.recount_mismatch")).first()
    assert alarm is not None
