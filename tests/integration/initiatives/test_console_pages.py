"""The console's initiative pages: the queue, moderation with a reason, the answer, the surges, the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from initiatives import surges
from initiatives.tables import Initiative, Signature
from tests.helpers import resident, staff_headers
from tests.integration.admin.console_helpers import console_sign_in
from tests.integration.initiatives.helpers import ALMALY, PASSWORD, filed, sign, status_of


async def test_moderate_and_answer_from_the_console(client, outbox):
    await staff_headers(client, "console-moderator@almaly.kz", PASSWORD, ALMALY, "moderator")
    console = await console_sign_in(client, "console-moderator@almaly.kz", PASSWORD)
    author = await resident(client, outbox, ALMALY)
    number = (await filed(client, author, title="<script>alert(1)</script> Скамейки"))["id"]

    queue = await console.get("/console/initiatives")
    assert queue.status_code == 200 and f"/console/initiatives/{number}" in queue.text
    assert "<script>alert(1)</script>" not in queue.text and "&lt;script&gt;" in queue.text

    bare = await console.post(f"/console/initiatives/{number}/moderate", {"decision": "reject"})
    assert bare.status_code == 422 and 'id="reason-error"' in bare.text
    assert await status_of(number) == "moderation"
    published = await console.post(f"/console/initiatives/{number}/moderate", {"decision": "publish"})
    assert published.status_code == 303 and await status_of(number) == "collecting"
    twice = await console.post(f"/console/initiatives/{number}/moderate", {"decision": "publish"})
    assert twice.status_code in (303, 409)  # the page no longer offers the form; a replayed post is refused
    assert await status_of(number) == "collecting"

    await sign(client, await resident(client, outbox, ALMALY), number)
    not_a_date = await console.post(f"/console/initiatives/{number}/hearing", {"hearing_at": "soon"})
    assert not_a_date.status_code == 422 and 'id="hearing_at-error"' in not_a_date.text
    hearing = await console.post(f"/console/initiatives/{number}/hearing", {"hearing_at": "2027-04-10T10:00"})
    assert hearing.status_code == 303
    hearing_at = (await Initiative.select(Initiative.hearing_at).where(Initiative.id == number).first())["hearing_at"]
    assert hearing_at.astimezone(UTC) == datetime(2027, 4, 10, 5, 0, tzinfo=UTC)  # 10:00 in Kazakhstan, UTC+5
    no_text = await console.post(f"/console/initiatives/{number}/answer", {"decision": "declined"})
    assert no_text.status_code == 422 and 'id="text-error"' in no_text.text
    answered = await console.post(f"/console/initiatives/{number}/answer",
                                  {"decision": "declined", "text_ru": "Во дворе нет места для скамеек."})
    assert answered.status_code == 303
    page = await console.get(f"/console/initiatives/{number}")
    assert "Во дворе нет места для скамеек." in page.text and await status_of(number) == "answered"


async def test_surges_are_flagged_once_and_shown(client, outbox):
    await staff_headers(client, "console-surges@almaly.kz", PASSWORD, ALMALY, "admin")
    console = await console_sign_in(client, "console-surges@almaly.kz", PASSWORD)
    author = await resident(client, outbox, ALMALY)
    number = (await filed(client, author))["id"]
    author_id = (await client.get("/api/v1/me", headers=author["headers"])).json()["id"]
    await console.post(f"/console/initiatives/{number}/moderate", {"decision": "publish"})
    # Thirty signatures in one window from one device, after quiet windows: a surge and a device cluster.
    now = datetime.now(UTC)
    start = surges.window_of(now) - surges.WINDOW
    for second in range(30):
        await Signature.insert(Signature(initiative=number, signer=f"bot-{number}-{second}", resident=author_id,
                                         region=ALMALY, signed_at=start + timedelta(seconds=second), device="d" * 16))
    assert await surges.scan(now) == 2
    assert await surges.scan(now) == 0
    assert {flag["kind"] for flag in await surges.flags_of(number)} == {"surge", "device_cluster"}
    page = await console.get(f"/console/initiatives/{number}")
    assert page.status_code == 200 and "d" * 16 in page.text


async def test_region_settings_form(client):
    await staff_headers(client, "console-settings@almaly.kz", PASSWORD, ALMALY, "admin")
    console = await console_sign_in(client, "console-settings@almaly.kz", PASSWORD)
    page = await console.get(f"/console/regions/{ALMALY}/initiative-settings")
    assert page.status_code == 200
    bad = await console.post(f"/console/regions/{ALMALY}/initiative-settings",
                             {"initiative_threshold": "300", "answer_days": "30", "hearing_threshold": "200"})
    assert bad.status_code == 422 and 'id="hearing_threshold-error"' in bad.text
    good = await console.post(f"/console/regions/{ALMALY}/initiative-settings",
                              {"initiative_threshold": "300", "answer_days": "20"})
    assert good.status_code == 303
    answer = await client.get(f"/api/v1/admin/regions/{ALMALY}/settings", headers=await staff_headers(
        client, "console-settings@almaly.kz", PASSWORD, ALMALY, "admin"))
    assert answer.json()["initiative_threshold"] == 300 and answer.json()["answer_days"] == 20
