"""Notifications on the resident site: follow buttons, the feed with its unread count, mark read, older pages,
preferences with their refusals beside the fields, the sign-in's language, and this browser's push."""

from __future__ import annotations

import json

from core.clock import database_now
from core.tables import Resident
from infra import tokens
from infra.push import WebPushSender
from infra.settings import get_settings
from notify.outbox import Audience, emit
from notify.preferences import Preferences, get_preferences, set_preferences
from notify.tables import Follow, PushSubscription
from tests.integration.notify.helpers import ALMALY, publish, run_worker, voting_round
from tests.integration.notify.test_push import vapid_key
from tests.integration.site.site_helpers import Browser, csrf_of, registered, sign_in


def id_of(browser: Browser) -> int:
    return tokens.verify(get_settings().secret_key, tokens.RESIDENT,
                         f"Bearer {browser.cookies['dauys_resident']}").id


async def test_follow_a_project_then_hear_of_its_results_on_the_feed_in_kazakh(client, outbox):
    staff, round_id, projects = await voting_round(client, "site-notify@almaty.kz")
    person = await registered(client, outbox, ALMALY, language="kk")
    page = await person.get(f"/projects/{projects[0]}")
    assert f'action="/follows/project/{projects[0]}"' in page.text and "data-following" not in page.text
    followed = await person.post(f"/follows/project/{projects[0]}",
                                 {"action": "follow", "next": f"/projects/{projects[0]}"}, f"/projects/{projects[0]}")
    assert followed.headers["location"] == f"/projects/{projects[0]}"
    assert "data-following" in (await person.follow(followed)).text

    await publish(client, staff, round_id)
    await run_worker()
    home = await person.get("/")
    assert 'href="/me/notifications"' in home.text and 'data-unread-count="1"' in home.text
    feed = await person.get("/me/notifications")
    assert feed.status_code == 200 and '<html lang="kk">' in feed.text
    assert "Нәтижелер жарияланды" in feed.text and f'href="/rounds/{round_id}/results"' in feed.text
    assert feed.text.count("data-unread>") == 1

    item = int(feed.text.split('data-notification="')[1].split('"')[0])
    read = await person.post(f"/me/notifications/{item}/read", {"next": "/me/notifications"}, "/me/notifications")
    after = await person.follow(read)
    assert "data-unread>" not in after.text and "data-unread-count" not in after.text
    assert "Нәтижелер жарияланды" in after.text

    unfollowed = await person.post(f"/follows/project/{projects[0]}",
                                   {"action": "unfollow", "next": f"/projects/{projects[0]}"},
                                   f"/projects/{projects[0]}")
    assert "data-following" not in (await person.follow(unfollowed)).text
    assert not await Follow.exists().where(Follow.resident == id_of(person))


async def test_follow_buttons_on_rounds_and_refusals(client, outbox):
    _, round_id, _ = await voting_round(client, "site-follow@almaty.kz")
    visitor = Browser(client)
    page = await visitor.get(f"/rounds/{round_id}")
    assert f'href="/signin?next=/rounds/{round_id}"' in page.text and "/follows/round" not in page.text
    anonymous = await visitor._send("POST", f"/follows/round/{round_id}", data={
        "next": f"/rounds/{round_id}", "_csrf_token": csrf_of(page.text)})
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/signin?next=/rounds/{round_id}"

    person = await registered(client, outbox, ALMALY)
    followed = await person.post(f"/follows/round/{round_id}", {"next": f"/rounds/{round_id}"}, f"/rounds/{round_id}")
    assert "data-following" in (await person.follow(followed)).text
    assert (await person.post("/follows/planet/1", {"next": "/"}, "/")).status_code == 404
    assert (await person.post("/follows/round/999999999", {"next": "/"}, "/")).status_code == 404
    # A form without its CSRF token is refused.
    assert (await person._send("POST", f"/follows/round/{round_id}", data={"next": "/"})).status_code == 403


async def test_older_notifications_page_by_cursor_and_mark_all_read(client, outbox):
    person = await registered(client, outbox, ALMALY, language="ru")
    person_id = id_of(person)
    _, round_id, _ = await voting_round(client, "site-pages@almaty.kz")
    await Follow.insert(Follow(resident=person_id, kind="round", target=f"pages-{round_id}",
                               created_at=await database_now()))
    for _ in range(23):
        await emit("round.results_published", ("round", round_id), Audience((("round", f"pages-{round_id}"),)),
                   {"round_id": round_id, "title": {"ru": "Бюджет участия"}})
    await run_worker()
    first = await person.get("/me/notifications")
    assert first.text.count('data-notification="') == 20 and 'rel="next"' in first.text
    cursor = first.text.split('href="/me/notifications?cursor=')[1].split('"')[0]
    older = await person.get(f"/me/notifications?cursor={cursor}")
    assert older.text.count('data-notification="') >= 3 and "Итоги опубликованы" in older.text
    # The page reads in the site's language, whatever the notifications' language (the API's) is.
    await set_preferences(person_id, Preferences("kk", True, True, None, None))
    assert "Итоги опубликованы" in (await person.get(f"/me/notifications?cursor={cursor}")).text
    assert (await person.get("/me/notifications?cursor=abc")).status_code == 400

    everything = await person.post("/me/notifications/read", {}, "/me/notifications")
    assert "data-unread>" not in (await person.follow(everything)).text
    stranger = await registered(client, outbox, ALMALY)
    assert (await stranger.post(f"/me/notifications/{cursor}/read", {}, "/me/notifications")).status_code == 404


async def test_preferences_form_saves_and_shows_refusals_beside_the_fields(client, outbox):
    person = await registered(client, outbox, ALMALY, language="ru")
    form = await person.get("/me/preferences")
    assert form.status_code == 200 and 'name="quiet_from"' in form.text and 'value="ru" selected' in form.text
    assert "data-push" not in form.text  # no VAPID key on this server
    saved = await person.post("/me/preferences", {"language": "kk", "sms": "on", "quiet_from": "22:00",
                                                  "quiet_to": "08:00"}, "/me/preferences")
    assert saved.headers["location"] == "/me/preferences?saved=1"
    shown = await person.follow(saved)
    assert "data-saved" in shown.text and 'value="22:00"' in shown.text
    assert await get_preferences(id_of(person)) == Preferences("kk", True, False, "22:00", "08:00")

    wrong = await person.post("/me/preferences", {"language": "kk", "quiet_from": "25:00", "quiet_to": "08:00"},
                              "/me/preferences")
    assert wrong.status_code == 422 and 'href="#quiet_from"' in wrong.text
    assert 'id="quiet_from-error"' in wrong.text and 'value="25:00"' in wrong.text
    # The page stays in the language the site is read in, whatever language the notifications are set to.
    assert "Укажите начало тихих часов" in wrong.text and '<html lang="ru">' in wrong.text
    half = await person.post("/me/preferences", {"language": "ru", "quiet_from": "22:00"}, "/me/preferences")
    assert half.status_code == 422 and 'id="quiet_from-error"' in half.text
    german = await person.post("/me/preferences", {"language": "de"}, "/me/preferences")
    assert german.status_code == 422 and 'id="language-error"' in german.text
    assert await get_preferences(id_of(person)) == Preferences("kk", True, False, "22:00", "08:00")


async def test_signing_in_keeps_the_sites_language_for_notifications_until_one_is_chosen(client, outbox):
    kazakh = await registered(client, outbox, ALMALY, language="kk")
    assert (await get_preferences(id_of(kazakh))).language == "kk"
    english = Browser(client, "en")
    await sign_in(english, outbox)
    assert (await get_preferences(id_of(english))).language == "en"
    await set_preferences(id_of(english), Preferences("ru", True, True, None, None))
    number = (await Resident.select(Resident.phone).where(Resident.id == id_of(english)).first())["phone"]
    again = Browser(client, "kk")
    await sign_in(again, outbox, phone=number)
    # Signing in again on the Kazakh site does not undo the language the resident chose.
    assert id_of(again) == id_of(english) and (await get_preferences(id_of(again))).language == "ru"


async def test_a_browser_subscribes_to_push_with_the_pages_csrf_token(client, outbox, monkeypatch):
    app = client._transport.app
    person = await registered(client, outbox, ALMALY)
    body = json.dumps({"endpoint": "https://push.example/site", "keys": {"p256dh": "BPk", "auth": "au"}})
    page = await person.get("/me/preferences")
    headers = {"content-type": "application/json", "x-csrftoken": csrf_of(page.text)}
    assert (await person._send("POST", "/me/push-subscriptions", content=body, headers=headers)).status_code == 422

    monkeypatch.setattr(app.state, "push", WebPushSender(vapid_key(), "mailto:support@dauys.kz"), raising=False)
    page = await person.get("/me/preferences")
    assert f'data-vapid-key="{app.state.push.public_key}"' in page.text
    headers["x-csrftoken"] = csrf_of(page.text)
    stored = await person._send("POST", "/me/push-subscriptions", content=body, headers=headers)
    assert stored.status_code == 204
    rows = await PushSubscription.select().where(PushSubscription.resident == id_of(person))
    assert [row["endpoint"] for row in rows] == ["https://push.example/site"]
    assert (await person._send("POST", "/me/push-subscriptions", content="{}", headers=headers)).status_code == 422
    no_token = {"content-type": "application/json"}
    assert (await person._send("POST", "/me/push-subscriptions", content=body, headers=no_token)).status_code == 403
