"""The whole participatory-budgeting loop over HTTP: sign-in, residency, casting, changing, closing,
results, receipts and the Pabulib file recounted."""

from __future__ import annotations

from datetime import date

from budgets import pabulib
from budgets.closing import advance_rounds
from budgets.rules import tally
from tests.helpers import bearer, open_now, resident, round_with_projects, staff_headers

ALMATY = "750000000"
ALMALY = "751110000"


async def test_round_from_creation_to_published_results(client, outbox):
    staff = await staff_headers(client, "loop@almaty.kz", "Loop-pass-2026", ALMATY)
    round_id, projects = await round_with_projects(
        client, staff, [20_000_000, 15_000_000, 30_000_000, 5_000_000], region=ALMALY
    )
    await open_now(round_id)
    listed = await client.get("/api/v1/rounds", params={"status": "voting", "region": ALMALY})
    assert round_id in [r["id"] for r in listed.json()]

    voters = [await resident(client, outbox) for _ in range(4)]
    choices = [[0, 1], [0, 2], [1], [0, 3]]
    receipts = []
    for voter, picks in zip(voters, choices):
        cast = await client.put(
            f"/api/v1/rounds/{round_id}/ballot",
            json={"choices": [{"project_id": projects[i]} for i in picks]},
            headers=voter["headers"],
        )
        assert cast.status_code == 200, cast.text
        assert cast.json()["revision"] == 1
        receipts.append(cast.json()["receipt"])

    # The last voter changes their mind: the first ballot is superseded, the new one counts.
    changed = await client.put(
        f"/api/v1/rounds/{round_id}/ballot",
        json={"choices": [{"project_id": projects[0]}, {"project_id": projects[2]}]},
        headers=voters[3]["headers"],
    )
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    assert (await client.get(f"/api/v1/receipts/{receipts[3]}")).json()["status"] == "superseded"
    assert (await client.get(f"/api/v1/receipts/{changed.json()['receipt']}")).json()["status"] == "counted"
    mine = await client.get(f"/api/v1/rounds/{round_id}/ballot", headers=voters[3]["headers"])
    assert mine.json()["choices"] == [{"project_id": projects[0]}, {"project_id": projects[2]}]
    assert mine.json()["revision"] == 2

    assert (await client.get(f"/api/v1/rounds/{round_id}/results")).status_code == 404
    closed = await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": projects[0]}]},
                            headers=voters[0]["headers"])
    assert late.status_code == 409
    await advance_rounds(60)

    results = (await client.get(f"/api/v1/rounds/{round_id}/results")).json()
    assert results["voters"] == 4 and results["rule"] == "greedy" and results["budget"] == 50_000_000
    votes = {p["project_id"]: p["votes"] for p in results["projects"]}
    assert votes == {projects[0]: 3, projects[1]: 2, projects[2]: 2, projects[3]: 0}
    selected = [p["project_id"] for p in results["projects"] if p["selected"]]
    # 3 votes (20M), then 2 votes: 15M before 30M on the lower cost; 30M no longer fits; 0 votes last.
    assert selected == [projects[0], projects[1]] and results["spent"] == 35_000_000
    assert [p["project_id"] for p in results["projects"][:3]] == [projects[0], projects[1], projects[2]]

    exported = await client.get(f"/api/v1/rounds/{round_id}/results.pb")
    assert exported.status_code == 200 and exported.headers["content-type"] == "text/plain; charset=utf-8"
    instance = pabulib.loads(exported.text)
    assert set(instance.projects) == {str(p) for p in projects}
    recount = tally("greedy", pabulib.to_election(instance))
    assert recount.winners == [str(p) for p in selected] and recount.spent == results["spent"]
    receipt = (await client.get(f"/api/v1/receipts/{receipts[0]}")).json()
    # The receipt reveals no choices and no identity: only where and when, and its hash for the ledger.
    assert set(receipt) == {"round_id", "status", "cast_at", "receipt_hash"}
    assert receipt["round_id"] == round_id and receipt["status"] == "counted"


async def test_results_wait_for_a_person_without_auto_publish(client, outbox):
    staff = await staff_headers(client, "manual@almaty.kz", "Manual-pass-2026", ALMATY)
    round_id, projects = await round_with_projects(client, staff, [10_000_000], region=ALMALY, auto_publish=False)
    publish_early = await client.post(f"/api/v1/admin/rounds/{round_id}/publish", headers=staff)
    assert publish_early.status_code == 409
    await open_now(round_id)
    voter = await resident(client, outbox)
    await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": projects[0]}]},
                     headers=voter["headers"])
    await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)
    await advance_rounds(60)
    assert (await client.get(f"/api/v1/admin/rounds/{round_id}")).status_code == 401
    draft = await client.get(f"/api/v1/admin/rounds/{round_id}/results", headers=staff)
    assert draft.status_code == 200 and draft.json()["published_at"] is None
    assert (await client.get(f"/api/v1/rounds/{round_id}/results")).status_code == 404
    published = await client.post(f"/api/v1/admin/rounds/{round_id}/publish", headers=staff)
    assert published.status_code == 200 and published.json()["published_at"]
    assert (await client.get(f"/api/v1/rounds/{round_id}/results")).json()["voters"] == 1
    assert (await client.post(f"/api/v1/admin/rounds/{round_id}/publish", headers=staff)).status_code == 409


async def test_eligibility_region_and_age(client, outbox):
    staff = await staff_headers(client, "elig@almaty.kz", "Elig-pass-2026", ALMATY)
    round_id, projects = await round_with_projects(client, staff, [1_000_000], region=ALMALY)
    await open_now(round_id)
    ballot = {"choices": [{"project_id": projects[0]}]}
    outsider = await resident(client, outbox, region="710000000")
    assert (await client.put(f"/api/v1/rounds/{round_id}/ballot", json=ballot,
                             headers=outsider["headers"])).status_code == 403
    child = await resident(client, outbox, born=date.today().replace(year=date.today().year - 12))
    assert (await client.put(f"/api/v1/rounds/{round_id}/ballot", json=ballot,
                             headers=child["headers"])).status_code == 403
    from tests.helpers import sign_in

    unregistered = await sign_in(client, outbox)
    refused = await client.put(f"/api/v1/rounds/{round_id}/ballot", json=ballot,
                               headers=bearer(unregistered["access_token"]))
    assert refused.status_code == 403 and "residency" in refused.json()["detail"]
