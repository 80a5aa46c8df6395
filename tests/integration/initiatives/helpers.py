"""Steps the initiative tests share: staff of a district, residents, an initiative taken to collecting."""

from __future__ import annotations

import itertools

from initiatives.tables import Initiative
from tests.helpers import resident, staff_headers

ALMATY, ALMALY, ALATAU, AUEZOV = "750000000", "751110000", "751210000", "751310000"
PASSWORD = "Initiative-pass-2026"
_numbers = itertools.count(1)


async def staff(client, region: str = ALMALY, role: str = "admin") -> dict[str, str]:
    return await staff_headers(client, f"init-{role}-{region}-{next(_numbers)}@akimat.kz", PASSWORD, region, role)


async def settle(client, admin: dict, region: str, threshold: int, **more) -> None:
    answer = await client.put(f"/api/v1/admin/regions/{region}/settings", headers=admin,
                              json={"initiative_threshold": threshold, **more})
    assert answer.status_code == 200, answer.text


async def filed(client, author: dict, region: str = ALMALY, title: str = "Фонари в сквере") -> dict:
    answer = await client.post("/api/v1/initiatives", headers=author["headers"], json={
        "region": region, "title": title, "text": "Вечером в сквере темно: просим поставить фонари."})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def collecting(client, outbox, moderator: dict, region: str = ALMALY) -> tuple[dict, int]:
    """A published initiative of `region` (its author a resident there) and its id."""
    author = await resident(client, outbox, region)
    initiative = await filed(client, author, region)
    published = await client.post(f"/api/v1/admin/initiatives/{initiative['id']}/moderate", headers=moderator,
                                  json={"decision": "publish"})
    assert published.status_code == 200, published.text
    return author, initiative["id"]


async def sign(client, person: dict, initiative_id: int):
    return await client.put(f"/api/v1/initiatives/{initiative_id}/signature", headers=person["headers"])


async def status_of(initiative_id: int) -> str:
    return (await Initiative.select(Initiative.status).where(Initiative.id == initiative_id).first())["status"]
