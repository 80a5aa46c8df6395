"""A past election imported from Pabulib is counted like a Dauys round and agrees with the city's own result."""

from __future__ import annotations

from budgets import pabulib
from budgets.closing import advance_rounds
from budgets.importing import import_instance
from budgets.rules import tally
from budgets.tables import Project
from tests.helpers import staff_headers
from tests.pabulib_data import pabulib_file


async def test_imported_election_reproduces_the_funded_projects(client):
    instance = pabulib.load(pabulib_file("Poland_Warszawa_2023_Wesola.pb"))
    report = await import_instance("test", instance, "751110000")
    assert report.projects == 29 and report.ballots == 1181 and report.rule == "greedy"
    await advance_rounds(60)
    staff = await staff_headers(client, "import@almaty.kz", "Import-pass-2026", "750000000")
    draft = (await client.get(f"/api/v1/admin/rounds/{report.round_id}/results", headers=staff)).json()
    assert draft["voters"] == 1181 and draft["published_at"] is None
    external = {p["id"]: p["external_id"] for p in await Project.select(Project.id, Project.external_id)
                .where(Project.round == report.round_id)}
    winners = {external[p["project_id"]] for p in draft["projects"] if p["selected"]}
    funded = {pid for pid, row in instance.projects.items() if row.get("selected") == "1"}
    assert winners == funded

    published = await client.post(f"/api/v1/admin/rounds/{report.round_id}/publish", headers=staff)
    assert published.status_code == 200
    exported = pabulib.loads((await client.get(f"/api/v1/rounds/{report.round_id}/results.pb")).text)
    recount = tally("greedy", pabulib.to_election(exported))
    assert {int(pid) for pid in recount.winners} == {p["project_id"] for p in draft["projects"] if p["selected"]}
