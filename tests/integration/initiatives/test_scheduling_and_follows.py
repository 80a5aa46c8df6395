"""The clock's side of initiatives in the scheduler's sweep, and following an initiative through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infra.settings import get_settings
from initiatives.tables import Initiative
from server.scheduler import sweep
from tests.helpers import resident
from tests.integration.initiatives.helpers import ALMALY, collecting, filed, sign, staff, status_of
from tests.integration.notify.helpers import run_worker, texts_to


async def test_the_sweep_expires_what_closed_while_the_server_was_down(client, outbox):
    moderator = await staff(client, role="moderator")
    author, number = await collecting(client, outbox, moderator)
    await Initiative.update({Initiative.closes_at: datetime.now(UTC) - timedelta(days=2)}).where(
        Initiative.id == number)
    await sweep(get_settings())
    assert await status_of(number) == "expired"
    await run_worker()
    assert texts_to(outbox, author["phone"], f"/initiatives/{number}")


async def test_following_an_initiative_needs_one_the_follower_may_see(client, outbox):
    moderator = await staff(client, role="moderator")
    _, number = await collecting(client, outbox, moderator)
    reader = await resident(client, outbox, ALMALY)
    assert (await client.put(f"/api/v1/me/follows/initiative/{number}", headers=reader["headers"])).status_code == 204
    author = await resident(client, outbox, ALMALY)
    hidden = (await filed(client, author))["id"]
    assert (await client.put(f"/api/v1/me/follows/initiative/{hidden}", headers=reader["headers"])).status_code == 404
    assert (await client.put(f"/api/v1/me/follows/initiative/{hidden}", headers=author["headers"])).status_code == 204
    assert (await client.put("/api/v1/me/follows/initiative/999999", headers=reader["headers"])).status_code == 404
    # Signing follows too: the answer reaches the signer by SMS as well as in the feed.
    signer = await resident(client, outbox, ALMALY)
    await sign(client, signer, number)
    follows = (await client.get("/api/v1/me/follows", headers=signer["headers"])).json()
    assert {"kind": "initiative", "id": str(number)} in follows
    answered = await client.post(f"/api/v1/admin/initiatives/{number}/answer", headers=moderator,
                                 json={"decision": "declined", "text": {"ru": "Нет средств в бюджете этого года."}})
    assert answered.status_code == 200
    await run_worker()
    assert texts_to(outbox, signer["phone"], f"/initiatives/{number}")
