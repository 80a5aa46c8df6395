"""Steps the ideas tests share: a round in its ideas phase, moving it on, proposing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.helpers import round_body, staff_headers

ALMATY, ALMALY, ALATAU = "750000000", "751110000", "751210000"
IDEA = {"title": "Освещение во дворе дома 12", "text": "Во дворе нет фонарей, вечером темно и опасно детям.",
        "category": "lighting", "location": {"lat": 43.2389, "lon": 76.8897}, "estimated_cost": 4_500_000}


async def ideas_round(client, email: str, region: str = ALMALY, staff_region: str = ALMATY,
                      role: str = "admin") -> tuple[dict, int]:
    """A round of `region` whose ideas phase is running (opened a minute ago, closes in an hour)."""
    staff = await staff_headers(client, email, "Ideas-pass-2026", staff_region, role)
    now = datetime.now(UTC)
    body = round_body(region, ideas_opens_at=(now - timedelta(minutes=1)).isoformat(),
                      ideas_closes_at=(now + timedelta(hours=1)).isoformat(),
                      voting_opens_at=(now + timedelta(hours=2)).isoformat())
    created = await client.post("/api/v1/admin/rounds", json=body, headers=staff)
    assert created.status_code == 201, created.text
    return staff, created.json()["id"]


async def end_ideas_phase(round_id: int) -> None:
    """Move the ideas phase's end to now, as if the clock had reached it."""
    from budgets.tables import Round

    await Round.update({Round.ideas_closes_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Round.id == round_id)


async def propose(client, person: dict, round_id: int, **changes) -> dict:
    answer = await client.post(f"/api/v1/rounds/{round_id}/ideas", json={**IDEA, **changes},
                               headers=person["headers"])
    assert answer.status_code == 201, answer.text
    return answer.json()
