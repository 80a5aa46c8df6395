"""Democracy Seoul's third step: an initiative past its ballot threshold becomes a project of a round's ballot."""

from __future__ import annotations

from tests.helpers import open_now, resident, round_with_projects
from tests.integration.initiatives.helpers import ALATAU, collecting, settle, sign, staff

NAURYZBAY = "751810000"


async def test_past_its_ballot_threshold_an_initiative_goes_on_a_rounds_ballot_once(client, outbox):
    admin = await staff(client, NAURYZBAY)
    await settle(client, admin, NAURYZBAY, 1, hearing_threshold=2, ballot_threshold=3)
    _, short = await collecting(client, outbox, admin, NAURYZBAY)
    _, popular = await collecting(client, outbox, admin, NAURYZBAY)
    for _ in range(3):
        assert (await sign(client, await resident(client, outbox, NAURYZBAY), popular)).status_code == 200
    shown = (await client.get(f"/api/v1/initiatives/{popular}")).json()
    assert shown["proposed_for_ballot"] and shown["hearing_required"] and shown["project_id"] is None

    round_id, _ = await round_with_projects(client, admin, [1_000_000], region=NAURYZBAY)
    voting, _ = await round_with_projects(client, admin, [1_000_000], region=NAURYZBAY)
    await open_now(voting)
    elsewhere, _ = await round_with_projects(client, await staff(client, ALATAU), [1_000_000], region=ALATAU)
    body = {"round_id": round_id, "cost": 25_000_000}

    assert (await client.post(f"/api/v1/admin/initiatives/{short}/ballot", headers=admin,
                              json=body)).status_code == 409
    moderator = await staff(client, NAURYZBAY, "moderator")
    assert (await client.post(f"/api/v1/admin/initiatives/{popular}/ballot", headers=moderator,
                              json=body)).status_code == 403
    assert (await client.post(f"/api/v1/admin/initiatives/{popular}/ballot", headers=admin,
                              json={**body, "round_id": voting})).status_code == 409
    assert (await client.post(f"/api/v1/admin/initiatives/{popular}/ballot", headers=admin,
                              json={**body, "round_id": elsewhere})).status_code == 403

    placed = await client.post(f"/api/v1/admin/initiatives/{popular}/ballot", headers=admin, json=body)
    assert placed.status_code == 201, placed.text
    project = placed.json()
    assert project["initiative_id"] == popular and project["cost"] == 25_000_000
    assert project["title"] == "Фонари в сквере"
    again = await client.post(f"/api/v1/admin/initiatives/{popular}/ballot", headers=admin, json=body)
    assert again.status_code == 409
    assert (await client.get(f"/api/v1/initiatives/{popular}")).json()["project_id"] == project["id"]
    on_ballot = (await client.get(f"/api/v1/rounds/{round_id}/projects")).json()
    assert project["id"] in [p["id"] for p in on_ballot]

    from core.tables import AuditEntry
    assert await AuditEntry.exists().where((AuditEntry.action == "initiative.ballot")
                                           & (AuditEntry.target == f"initiative:{popular}"))


async def test_the_console_puts_an_initiative_on_a_ballot(client, outbox):
    from tests.integration.admin.console_helpers import console_sign_in
    from tests.integration.initiatives.helpers import PASSWORD

    medeu = "751710000"
    email = "init-console-ballot@medeu.kz"
    from tests.helpers import staff_headers
    admin = await staff_headers(client, email, PASSWORD, medeu)
    await settle(client, admin, medeu, 1, ballot_threshold=2)
    _, popular = await collecting(client, outbox, admin, medeu)
    for _ in range(2):
        await sign(client, await resident(client, outbox, medeu), popular)
    round_id, _ = await round_with_projects(client, admin, [1_000_000], region=medeu)
    session = await console_sign_in(client, email, PASSWORD)
    page = f"/console/initiatives/{popular}"
    shown = await session.get(page)
    assert f'<option value="{round_id}"' in shown.text
    bad = await session.post(f"{page}/ballot", {"round_id": str(round_id), "cost": "дорого"}, form_page=page)
    assert bad.status_code == 422 and 'id="cost-error"' in bad.text
    placed = await session.post(f"{page}/ballot", {"round_id": str(round_id), "cost": "12 000 000"}, form_page=page)
    assert placed.status_code == 303, placed.text
    assert "/console/projects/" in (await session.get(page)).text
    costs = [p["cost"] for p in (await client.get(f"/api/v1/rounds/{round_id}/projects")).json()]
    assert 12_000_000 in costs
