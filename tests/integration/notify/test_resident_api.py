"""The resident's notification endpoints: the feed with its cursor, marking read, preferences and follows."""

from __future__ import annotations

import pytest

from tests.helpers import resident
from tests.integration.notify.helpers import ALMALY, publish, run_worker, voting_round


async def test_follow_then_read_the_feed_page_by_page_in_my_language(client, outbox):
    staff, round_id, projects = await voting_round(client, "notify-api@almaty.kz")
    me = await resident(client, outbox, ALMALY)
    headers = me["headers"]
    assert (await client.put("/api/v1/me/preferences", json={"language": "en"}, headers=headers)).status_code == 200
    assert (await client.put(f"/api/v1/me/follows/project/{projects[1]}", headers=headers)).status_code == 204
    assert (await client.put(f"/api/v1/me/follows/project/{projects[1]}", headers=headers)).status_code == 204
    assert (await client.put("/api/v1/me/follows/region/751110000", headers=headers)).status_code == 204
    listed = (await client.get("/api/v1/me/follows", headers=headers)).json()
    assert listed == [{"kind": "project", "id": str(projects[1])}, {"kind": "region", "id": "751110000"}]

    await publish(client, staff, round_id)
    await run_worker()
    first = (await client.get("/api/v1/me/notifications", headers=headers)).json()
    published = [i for i in first["items"] if i["kind"] == "round.results_published"]
    assert len(published) == 1 and published[0]["title"] == "Results are published"
    assert published[0]["url"] == f"http://dauys.test/rounds/{round_id}/results" and published[0]["read_at"] is None

    item = published[0]["id"]
    assert (await client.post(f"/api/v1/me/notifications/{item}/read", headers=headers)).status_code == 204
    again = (await client.get("/api/v1/me/notifications", headers=headers)).json()
    assert next(i for i in again["items"] if i["id"] == item)["read_at"] is not None
    other = await resident(client, outbox, ALMALY)
    assert (await client.post(f"/api/v1/me/notifications/{item}/read", headers=other["headers"])).status_code == 404
    assert (await client.post("/api/v1/me/notifications/read", headers=headers)).status_code == 204
    assert all(i["read_at"] for i in (await client.get("/api/v1/me/notifications", headers=headers)).json()["items"])


async def test_the_cursor_pages_through_older_items(client, outbox):
    from notify.tables import FeedItem, NotifyEvent

    me = await resident(client, outbox, ALMALY)
    mine = (await client.get("/api/v1/me", headers=me["headers"])).json()["id"]
    for number in range(25):
        event = (await NotifyEvent.insert(NotifyEvent(
            kind="round.voting_opened", subject_kind="round", subject_id=str(number), audience={},
            payload={"round_id": number, "title": {"ru": f"Тур {number}"}}, state="done")).returning(NotifyEvent.id))
        await FeedItem.insert(FeedItem(resident=mine, event=event[0]["id"]))
    first = (await client.get("/api/v1/me/notifications", headers=me["headers"])).json()
    assert len(first["items"]) == 20 and first["next_cursor"] == first["items"][-1]["id"]
    rest = (await client.get("/api/v1/me/notifications", params={"cursor": first["next_cursor"]},
                             headers=me["headers"])).json()
    assert len(rest["items"]) == 5 and rest["next_cursor"] is None
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 25
    assert rest["items"][-1]["text"] == "«Тур 0»: посмотрите проекты и проголосуйте."


async def test_preferences_round_trip(client, outbox):
    me = await resident(client, outbox, ALMALY)
    assert (await client.get("/api/v1/me/preferences", headers=me["headers"])).json() == {
        "language": "ru", "channels": {"sms": True, "push": True}, "quiet_hours": None}
    body = {"language": "kk", "channels": {"sms": False, "push": True}, "quiet_hours": {"from": "22:00", "to": "08:00"}}
    saved = await client.put("/api/v1/me/preferences", json=body, headers=me["headers"])
    assert saved.status_code == 200 and saved.json() == body
    assert (await client.get("/api/v1/me/preferences", headers=me["headers"])).json() == body


@pytest.mark.parametrize("body", [
    {"language": "de"},
    {"language": "__not_in_enum__"},
    {"language": "kk", "quiet_hours": {"from": "25:00", "to": "08:00"}},
    {"language": "kk", "quiet_hours": {"from": "22:00", "to": "8"}},
    {"language": "kk", "quiet_hours": {"from": "22:00", "to": "22:00"}},
])
async def test_bad_preferences_are_422_naming_the_field(client, outbox, body):
    me = await resident(client, outbox, ALMALY)
    answer = await client.put("/api/v1/me/preferences", json=body, headers=me["headers"])
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json" and answer.json()["errors"]


@pytest.mark.parametrize("path", ["/api/v1/me/follows/poll/1", "/api/v1/me/follows/round/999999",
                                  "/api/v1/me/follows/project/0", "/api/v1/me/follows/project/abc",
                                  "/api/v1/me/follows/region/123456789", "/api/v1/me/follows/initiative/999999"])
async def test_unknown_kinds_and_ids_are_404(client, outbox, path):
    me = await resident(client, outbox, ALMALY)
    answer = await client.put(path, headers=me["headers"])
    assert answer.status_code == 404 and answer.json()["detail"]


async def test_unfollowing_and_tokens(client, outbox):
    me = await resident(client, outbox, ALMALY)
    assert (await client.put("/api/v1/me/follows/region/750000000", headers=me["headers"])).status_code == 204
    assert (await client.delete("/api/v1/me/follows/region/750000000", headers=me["headers"])).status_code == 204
    assert (await client.delete("/api/v1/me/follows/region/750000000", headers=me["headers"])).status_code == 204
    assert (await client.delete("/api/v1/me/follows/poll/1", headers=me["headers"])).status_code == 404
    assert (await client.get("/api/v1/me/follows", headers=me["headers"])).json() == []
    for method, path in [("GET", "/api/v1/me/notifications"), ("GET", "/api/v1/me/preferences"),
                         ("PUT", "/api/v1/me/follows/region/750000000")]:
        assert (await client.request(method, path)).status_code == 401
