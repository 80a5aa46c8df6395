"""From a round's change to the resident's feed and phone: the outbox, the fan-out and the SMS sender."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import KAZAKHSTAN
from notify import feed, follows, worker
from notify.preferences import Preferences, set_preferences
from notify.tables import Delivery, FeedItem, NotifyEvent
from tests.helpers import resident
from tests.integration.admin.console_helpers import console_sign_in
from tests.integration.notify.helpers import ALMALY, publish, resident_id, run_worker, texts_to, voting_round

PUBLIC = "http://dauys.test"


class Killed(BaseException):
    """What a process's death looks like to the code it was running: nothing after it runs."""


async def feed_of(person_id: int) -> list[feed.Item]:
    return (await feed.page_of(person_id, PUBLIC, size=100)).items


async def test_a_follower_hears_of_results_in_the_feed_and_by_sms_once(client, outbox):
    staff, round_id, projects = await voting_round(client, "notify-results@almaty.kz")
    follower, bystander = await resident(client, outbox, ALMALY), await resident(client, outbox, "711110000")
    follower_id, bystander_id = await resident_id(client, follower), await resident_id(client, bystander)
    await set_preferences(follower_id, Preferences("kk", True, True, None, None))
    await follows.follow(follower_id, "project", str(projects[0]))

    await publish(client, staff, round_id)
    assert await NotifyEvent.count().where((NotifyEvent.kind == "round.results_published")
                                           & (NotifyEvent.subject_id == str(round_id))) == 1
    await run_worker()
    await run_worker()

    items = [i for i in await feed_of(follower_id) if i.kind == "round.results_published"]
    assert len(items) == 1
    assert items[0].title == "Нәтижелер жарияланды" and "Қатысу бюджеті" in items[0].text
    assert items[0].url == f"{PUBLIC}/rounds/{round_id}/results"
    sent = texts_to(outbox, follower["phone"], f"/rounds/{round_id}/results")
    assert sent == [f"Нәтижелер жарияланды: {PUBLIC}/rounds/{round_id}/results"]
    assert not [i for i in await feed_of(bystander_id) if i.kind == "round.results_published"]
    counts = (await client.get(f"/api/v1/admin/rounds/{round_id}/notifications", headers=staff)).json()
    assert counts["sms"]["sent"] >= 1 and counts["sms"]["dead"] == 0 and counts["events"] == {"done": 2}


async def test_opening_reaches_the_whole_region_in_the_feed_and_only_followers_by_sms(client, outbox):
    follower, plain = await resident(client, outbox, ALMALY), await resident(client, outbox, ALMALY)
    follower_id, plain_id = await resident_id(client, follower), await resident_id(client, plain)
    # Following Almaty is hearing of the rounds of its districts.
    await follows.follow(follower_id, "region", "750000000")
    _, round_id, _ = await voting_round(client, "notify-open@almaty.kz")
    page = f"{PUBLIC}/rounds/{round_id}"
    for person_id in (follower_id, plain_id):
        assert [i.url for i in await feed_of(person_id) if i.kind == "round.voting_opened"].count(page) == 1
    assert texts_to(outbox, follower["phone"], page) == [f"Голосование открыто: {page}"]
    assert texts_to(outbox, plain["phone"], page) == []
    assert not await Delivery.exists().where(Delivery.resident == plain_id)


async def test_quiet_hours_defer_the_sms_to_their_end(client, outbox):
    staff, round_id, projects = await voting_round(client, "notify-quiet@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    person_id = await resident_id(client, person)
    local = datetime.now(KAZAKHSTAN)
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    await set_preferences(person_id, Preferences("ru", True, True, start.strftime("%H:%M"), end.strftime("%H:%M")))
    await follows.follow(person_id, "round", str(round_id))
    await publish(client, staff, round_id)
    await run_worker()

    assert [i for i in await feed_of(person_id) if i.kind == "round.results_published"]
    assert texts_to(outbox, person["phone"], f"/rounds/{round_id}/results") == []
    waiting = await Delivery.select().where(Delivery.resident == person_id).first()
    assert waiting["state"] == "queued"
    assert waiting["next_attempt_at"] == end.replace(second=0, microsecond=0).astimezone(UTC)
    # The quiet hours end: the SMS goes out then, once.
    await Delivery.update({Delivery.next_attempt_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Delivery.id == waiting["id"])
    await set_preferences(person_id, Preferences("ru", True, True, None, None))
    await run_worker()
    await run_worker()
    assert len(texts_to(outbox, person["phone"], f"/rounds/{round_id}/results")) == 1


async def test_a_failing_gateway_backs_off_and_ends_dead_while_the_feed_is_unaffected(client, outbox):
    staff, round_id, _ = await voting_round(client, "notify-gateway@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    person_id = await resident_id(client, person)
    await follows.follow(person_id, "round", str(round_id))
    await publish(client, staff, round_id)

    class Down:
        async def send(self, to: str, text: str) -> None:
            raise OSError("gateway down")

    from infra.settings import get_settings
    from notify.rules import MAX_ATTEMPTS

    for attempt in range(1, MAX_ATTEMPTS + 1):
        await worker.run_once(Down(), get_settings())
        row = await Delivery.select().where(Delivery.resident == person_id).first()
        assert row["attempts"] == attempt and "gateway down" in row["last_error"]
        assert row["state"] == ("dead" if attempt == MAX_ATTEMPTS else "failed")
        assert row["next_attempt_at"] > datetime.now(UTC)
        await Delivery.update({Delivery.next_attempt_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
            Delivery.id == row["id"])
    await run_worker()
    assert texts_to(outbox, person["phone"], f"/rounds/{round_id}/results") == []
    assert [i for i in await feed_of(person_id) if i.kind == "round.results_published"]
    counts = (await client.get(f"/api/v1/admin/rounds/{round_id}/notifications", headers=staff)).json()
    # Followers of Almaty from other tests hear of this round too: count at least this person.
    assert counts["events"] == {"done": 2} and counts["feed"] >= 1 and counts["sms"]["dead"] >= 1
    assert counts["dead_letters"][0]["attempts"] == MAX_ATTEMPTS
    assert "gateway down" in counts["dead_letters"][0]["last_error"]
    console = await console_sign_in(client, "notify-gateway@almaty.kz", "Notify-pass-2026")
    page = await console.get(f"/console/rounds/{round_id}/notifications")
    assert page.status_code == 200 and "OSError: gateway down" in page.text
    assert f'data-state="dead">{counts["sms"]["dead"]}<' in page.text


async def test_a_worker_killed_mid_batch_loses_nothing_and_shows_nothing_twice(client, outbox, monkeypatch):
    staff, round_id, _ = await voting_round(client, "notify-kill@almaty.kz")
    people = [await resident(client, outbox, ALMALY) for _ in range(5)]
    ids = [await resident_id(client, p) for p in people]
    for person_id in ids:
        await follows.follow(person_id, "round", str(round_id))
    await publish(client, staff, round_id)

    real_sms, calls = worker._sms, []

    async def dies_in_second_batch(*args):
        calls.append(args)
        if len(calls) == 2:
            raise Killed()
        await real_sms(*args)

    monkeypatch.setattr(worker, "_sms", dies_in_second_batch)
    with pytest.raises(Killed):
        for _ in range(10):
            await worker.fan_out_batch(batch_size=2)
    monkeypatch.setattr(worker, "_sms", real_sms)
    await run_worker()
    await run_worker()
    event = await NotifyEvent.select().where((NotifyEvent.kind == "round.results_published")
                                             & (NotifyEvent.subject_id == str(round_id))).first()
    assert event["state"] == "done"
    for person, person_id in zip(people, ids):
        assert await FeedItem.count().where((FeedItem.resident == person_id) & (FeedItem.event == event["id"])) == 1
        assert len(texts_to(outbox, person["phone"], f"/rounds/{round_id}/results")) == 1


@pytest.mark.postgres
async def test_two_workers_at_once_send_each_sms_once(client, outbox):
    staff, round_id, _ = await voting_round(client, "notify-race@almaty.kz")
    people = [await resident(client, outbox, ALMALY) for _ in range(30)]
    for person in people:
        await follows.follow(await resident_id(client, person), "round", str(round_id))
    await publish(client, staff, round_id)
    from infra.settings import get_settings
    from infra.sms import make_sender

    settings = get_settings()
    # Small batches, so that the two really interleave on the event and on the SMS claims.
    await asyncio.gather(*(worker.run_once(make_sender(settings.sms_backend), settings, batch_size=4)
                           for _ in range(2)))
    await asyncio.gather(run_worker(), run_worker())
    event = await NotifyEvent.select(NotifyEvent.id).where((NotifyEvent.kind == "round.results_published")
                                                           & (NotifyEvent.subject_id == str(round_id))).first()
    for person in people:
        assert len(texts_to(outbox, person["phone"], f"/rounds/{round_id}/results")) == 1
        person_id = await resident_id(client, person)
        assert await FeedItem.count().where((FeedItem.resident == person_id) & (FeedItem.event == event["id"])) == 1


async def test_the_day_before_closing_followers_are_reminded_once(client, outbox):
    from budgets.announcements import remind_closing
    from budgets.tables import Round
    from core.clock import database_now

    _, round_id, _ = await voting_round(client, "notify-remind@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    person_id = await resident_id(client, person)
    await follows.follow(person_id, "round", str(round_id))
    now = await database_now()
    await Round.update({Round.voting_opens_at: now - timedelta(days=6),
                        Round.voting_closes_at: now + timedelta(hours=20)}).where(Round.id == round_id)
    # Every process runs the reminder job; the round's reminder is one event whoever writes it first.
    await remind_closing(now)
    await remind_closing(now)
    assert await NotifyEvent.count().where((NotifyEvent.kind == "round.closes_tomorrow")
                                           & (NotifyEvent.subject_id == str(round_id))) == 1
    await run_worker()
    assert [i.title for i in await feed_of(person_id) if i.kind == "round.closes_tomorrow"] == [
        "Голосование завтра закончится"]
    page = f"{PUBLIC}/rounds/{round_id}"
    assert texts_to(outbox, person["phone"], page) == [f"Голосование завтра закончится: {page}"]


async def test_over_the_daily_cap_the_sms_is_skipped_and_the_feed_keeps_it(client, outbox, monkeypatch):
    from notify import rules

    monkeypatch.setattr(rules, "SMS_PER_DAY", 1)
    person = await resident(client, outbox, ALMALY)
    person_id = await resident_id(client, person)
    rounds = []
    for number in range(2):
        staff, round_id, _ = await voting_round(client, f"notify-cap{number}@almaty.kz")
        await follows.follow(person_id, "round", str(round_id))
        rounds.append((staff, round_id))
    for staff, round_id in rounds:
        await publish(client, staff, round_id)
    await run_worker()
    states = sorted(row["state"] for row in await Delivery.select(Delivery.state).where(
        (Delivery.resident == person_id) & (Delivery.channel == "sms")))
    assert states == ["sent", "skipped"]
    assert len([i for i in await feed_of(person_id) if i.kind == "round.results_published"]) == 2
    assert sum(len(texts_to(outbox, person["phone"], f"/rounds/{r}/results")) for _, r in rounds) == 1


async def test_a_failing_fan_out_rolls_its_batch_back_and_retries_later(client, outbox, monkeypatch):
    staff, round_id, _ = await voting_round(client, "notify-fanout-fails@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    person_id = await resident_id(client, person)
    await follows.follow(person_id, "round", str(round_id))
    await publish(client, staff, round_id)
    real_sms = worker._sms

    async def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(worker, "_sms", broken)
    await run_worker()
    event = await NotifyEvent.select().where((NotifyEvent.kind == "round.results_published")
                                             & (NotifyEvent.subject_id == str(round_id))).first()
    assert event["state"] == "pending" and event["attempts"] == 1 and "disk full" in event["last_error"]
    assert event["next_attempt_at"] > datetime.now(UTC) and event["cursor"] == 0
    assert not await FeedItem.exists().where(FeedItem.event == event["id"])
    # The fault is gone and the backoff has passed: the event goes out, once.
    monkeypatch.setattr(worker, "_sms", real_sms)
    await NotifyEvent.update({NotifyEvent.next_attempt_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        NotifyEvent.id == event["id"])
    await run_worker()
    assert await FeedItem.count().where((FeedItem.event == event["id"]) & (FeedItem.resident == person_id)) == 1
    assert len(texts_to(outbox, person["phone"], f"/rounds/{round_id}/results")) == 1


async def test_a_slow_gateway_times_out_backs_off_and_holds_up_neither_the_others_nor_the_feed(
        client, outbox, monkeypatch):
    staff, round_id, _ = await voting_round(client, "notify-slow@almaty.kz")
    stuck, quick = await resident(client, outbox, ALMALY), await resident(client, outbox, ALMALY)
    stuck_id, quick_id = await resident_id(client, stuck), await resident_id(client, quick)
    for person_id in (stuck_id, quick_id):
        await follows.follow(person_id, "round", str(round_id))
    await publish(client, staff, round_id)
    from infra.settings import get_settings
    from infra.sms import make_sender

    settings = get_settings()
    real = make_sender(settings.sms_backend)

    class Slow:
        """A gateway that never answers for one number and answers at once for the others."""

        async def send(self, to: str, text: str) -> None:
            if to == stuck["phone"]:
                await asyncio.sleep(3600)
            await real.send(to, text)

    monkeypatch.setattr(worker, "SEND_TIMEOUT_SECONDS", 0.2)
    await worker.run_once(Slow(), settings)
    page = f"/rounds/{round_id}/results"
    assert len(texts_to(outbox, quick["phone"], page)) == 1 and texts_to(outbox, stuck["phone"], page) == []
    waiting = await Delivery.select().where((Delivery.resident == stuck_id) & (Delivery.channel == "sms")).first()
    assert waiting["state"] == "failed" and waiting["attempts"] == 1 and "TimeoutError" in waiting["last_error"]
    assert waiting["next_attempt_at"] > datetime.now(UTC) + timedelta(seconds=20)  # the first backoff, 30 s
    for person_id in (stuck_id, quick_id):
        assert [i for i in await feed_of(person_id) if i.kind == "round.results_published"]
    # The gateway answers again and the backoff has passed: the late SMS goes, once; the quick one is not resent.
    await Delivery.update({Delivery.next_attempt_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Delivery.id == waiting["id"])
    await run_worker()
    await run_worker()
    assert len(texts_to(outbox, stuck["phone"], page)) == 1 and len(texts_to(outbox, quick["phone"], page)) == 1
