"""The outbox's worker, run in every server process: fan events out to their audience, then send SMS.

Fan-out: one batch of residents per short transaction, which claims the event (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so two processes never fan out one event at once; on SQLite the write lock serialises them),
inserts feed items and SMS deliveries for the batch with ON CONFLICT DO NOTHING on their dedupe keys, and
moves the event's cursor past the batch. A process that dies mid-batch takes the batch's rows with its
rolled-back transaction, and the next run does that batch again from the committed cursor: nothing is lost
and nothing is shown twice. A city of residents is thousands of small transactions, none holding locks long.

Sending: a claim moves a due delivery's next attempt a lease ahead and commits before the SMS goes out, so
two processes never send it at once; a process that dies while sending leaves it to come due again when the
lease runs out (at least once to the channel). Quiet hours defer a message to their end; failures back off
exponentially and end as `dead` after MAX_ATTEMPTS; the daily cap skips what is over it (the feed has it).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.clock import KAZAKHSTAN, database_now
from core.regions import region_path
from infra.database import is_postgres, write_transaction
from infra.push import PushSender, Subscription, SubscriptionGone
from infra.settings import Settings
from infra.sms import SmsSender
from notify import rules, subscriptions, templates
from notify.outbox import Audience
from notify.tables import Delivery, NotifyEvent

log = logging.getLogger("dauys.notify")

FANOUT_BATCH = 1000
SEND_BATCH = 100
# Longer than any gateway call (infra.sms waits at most 10 s): a claimed SMS is not claimed again meanwhile.
SEND_LEASE = timedelta(seconds=120)
SEND_TIMEOUT_SECONDS = 30
SEND_CONCURRENCY = 8
# One run of the worker stops after this many transactions of each kind, so that a city-wide event shares
# the process with the next scheduler jobs; the next run goes on where this one stopped.
BATCHES_PER_RUN = 200


@dataclass(frozen=True)
class Batch:
    event_id: int
    low: int
    high: int
    done: bool


def _skip_locked() -> str:
    return " FOR UPDATE SKIP LOCKED" if is_postgres() else ""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class AudienceSql:
    """An audience as SQL conditions on `resident r`: its followers, and everyone (followers and region)."""

    followers: str
    follower_args: list[Any]
    everyone: str
    everyone_args: list[Any]


async def audience_sql(audience: Audience) -> AudienceSql:
    args: list[Any] = []
    pairs = []
    for kind, target in audience.follows:
        pairs.append("(f.kind = {} AND f.target = {})")
        args += [kind, target]
    followers = (f"EXISTS (SELECT 1 FROM notify_follow f WHERE f.resident = r.id AND ({' OR '.join(pairs)}))"
                 if pairs else "FALSE")
    if audience.region is None:
        return AudienceSql(followers, args, followers, args)
    everyone = f"({followers} OR r.region IN (SELECT kato FROM region WHERE path LIKE {{}}))"
    return AudienceSql(followers, args, everyone, [*args, await region_path(audience.region) + "%"])


async def _feed(event_id: int, low: int, high: int, now: datetime, audience: AudienceSql) -> None:
    await NotifyEvent.raw(
        "INSERT INTO notify_feed_item (resident, event, created_at) SELECT r.id, {}, {} FROM resident r "
        f"WHERE r.id > {{}} AND r.id <= {{}} AND {audience.everyone} ON CONFLICT (resident, event) DO NOTHING",
        event_id, now, low, high, *audience.everyone_args)


async def _sms(event_id: int, low: int, high: int, now: datetime, audience: AudienceSql) -> None:
    # Only followers hear by SMS, and only when their preferences (default: yes) allow it.
    await NotifyEvent.raw(
        "INSERT INTO notify_delivery (event, resident, channel, state, attempts, next_attempt_at) "
        "SELECT {}, r.id, 'sms', 'queued', 0, {} FROM resident r "
        "LEFT JOIN notify_preference p ON p.resident = r.id "
        f"WHERE r.id > {{}} AND r.id <= {{}} AND {audience.followers} AND COALESCE(p.sms, {{}}) "
        "ON CONFLICT (event, resident, channel) DO NOTHING",
        event_id, now, low, high, *audience.follower_args, True)


async def _push(event_id: int, low: int, high: int, now: datetime, audience: AudienceSql) -> None:
    # Followers with a browser subscribed, when their preferences (default: yes) allow push.
    await NotifyEvent.raw(
        "INSERT INTO notify_delivery (event, resident, channel, state, attempts, next_attempt_at) "
        "SELECT {}, r.id, 'push', 'queued', 0, {} FROM resident r "
        "LEFT JOIN notify_preference p ON p.resident = r.id "
        f"WHERE r.id > {{}} AND r.id <= {{}} AND {audience.followers} AND COALESCE(p.push, {{}}) "
        "AND EXISTS (SELECT 1 FROM notify_push_subscription s WHERE s.resident = r.id) "
        "ON CONFLICT (event, resident, channel) DO NOTHING",
        event_id, now, low, high, *audience.follower_args, True)


async def fan_out_batch(batch_size: int = FANOUT_BATCH) -> Batch | None:
    """Fan one batch of one due event out, in one transaction; None when no event is due."""
    now = await database_now()
    claimed_id = None
    try:
        async with write_transaction():
            rows = await NotifyEvent.raw(
                "SELECT id, audience, cursor FROM notify_event WHERE state = 'pending' AND next_attempt_at <= {} "
                "ORDER BY id LIMIT 1" + _skip_locked(), now)
            if not rows:
                return None
            event = rows[0]
            claimed_id = event["id"]
            audience = await audience_sql(Audience.from_json(_json(event["audience"])))
            ids = await NotifyEvent.raw(
                f"SELECT r.id FROM resident r WHERE r.id > {{}} AND {audience.everyone} ORDER BY r.id LIMIT {{}}",
                event["cursor"], *audience.everyone_args, batch_size)
            low, high = event["cursor"], (ids[-1]["id"] if ids else event["cursor"])
            if ids:
                await _feed(claimed_id, low, high, now, audience)
                await _sms(claimed_id, low, high, now, audience)
                await _push(claimed_id, low, high, now, audience)
            done = len(ids) < batch_size
            await NotifyEvent.update({NotifyEvent.cursor: high, NotifyEvent.state: "done" if done else "pending"}
                                     ).where(NotifyEvent.id == claimed_id)
        return Batch(claimed_id, low, high, done)
    except Exception as exc:
        if claimed_id is None:
            raise
        await _event_failed(claimed_id, now, exc)
        return Batch(claimed_id, 0, 0, False)


async def _event_failed(event_id: int, now: datetime, exc: Exception) -> None:
    log.warning("fan-out of notification event %s failed: %s", event_id, exc)
    async with write_transaction():
        row = await NotifyEvent.select(NotifyEvent.attempts).where(NotifyEvent.id == event_id).first()
        attempts = row["attempts"] + 1
        await NotifyEvent.update({
            NotifyEvent.attempts: attempts,
            NotifyEvent.state: "dead" if attempts >= rules.MAX_ATTEMPTS else "pending",
            NotifyEvent.next_attempt_at: now + rules.backoff(attempts),
            NotifyEvent.last_error: f"{type(exc).__name__}: {exc}"[:500],
        }).where(NotifyEvent.id == event_id)


async def claim(channel: str, now: datetime, limit: int = SEND_BATCH) -> list[dict]:
    """Take up to `limit` due deliveries of `channel` for one lease, committed before any is sent."""
    async with write_transaction():
        return await NotifyEvent.raw(
            "UPDATE notify_delivery SET next_attempt_at = {} WHERE id IN (SELECT id FROM notify_delivery "
            "WHERE state IN ('queued', 'failed') AND channel = {} AND next_attempt_at <= {} "
            "ORDER BY next_attempt_at, id LIMIT {}" + _skip_locked() + ") RETURNING id, event, resident, attempts",
            now + SEND_LEASE, channel, now, limit)


async def _recipients(resident_ids: list[int], event_ids: list[int]) -> tuple[dict[int, dict], dict[int, dict]]:
    people = await NotifyEvent.raw(
        "SELECT r.id, r.phone, COALESCE(p.language, r.language) AS language, COALESCE(p.sms, {}) AS sms, "
        "COALESCE(p.push, {}) AS push, p.quiet_from, p.quiet_to FROM resident r "
        "LEFT JOIN notify_preference p ON p.resident = r.id "
        f"WHERE r.id IN ({', '.join('{}' for _ in resident_ids)})", True, True, *resident_ids)
    events = await NotifyEvent.select(NotifyEvent.id, NotifyEvent.kind, NotifyEvent.payload).where(
        NotifyEvent.id.is_in(event_ids)).output(load_json=True)
    return {row["id"]: row for row in people}, {row["id"]: row for row in events}


async def _count_against_cap(residents: list[int], languages: dict[int, str], now: datetime) -> list[int]:
    """Count one SMS for each of `residents` (a resident once per call) against today's cap, a Kazakhstan day,
    in one statement; returns those still under the cap, whose SMS may go."""
    today = now.astimezone(KAZAKHSTAN).date()
    marks = ", ".join("({}, {}, {}, {}, 0)" for _ in residents)
    values = [value for resident in residents for value in (resident, languages[resident], True, True)]
    ids = ", ".join("{}" for _ in residents)
    async with write_transaction():
        await NotifyEvent.raw("INSERT INTO notify_preference (resident, language, sms, push, sms_count) "
                              f"VALUES {marks} ON CONFLICT (resident) DO NOTHING", *values)
        counted = await NotifyEvent.raw(
            "UPDATE notify_preference SET sms_count = CASE WHEN sms_day = {} THEN sms_count + 1 ELSE 1 END, "
            f"sms_day = {{}} WHERE resident IN ({ids}) AND (sms_day IS NULL OR sms_day <> {{}} OR sms_count < {{}}) "
            "RETURNING resident", today, today, *residents, today, rules.SMS_PER_DAY)
    return [row["resident"] for row in counted]


async def _release_cap(resident_id: int) -> None:
    """A message the gateway refused was not sent: it must not count against the day's cap."""
    await NotifyEvent.raw("UPDATE notify_preference SET sms_count = sms_count - 1 WHERE resident = {} "
                          "AND sms_count > 0", resident_id)


async def _set(delivery_ids: list[int], **values: Any) -> None:
    if delivery_ids:
        await Delivery.update({getattr(Delivery, name): value for name, value in values.items()}).where(
            Delivery.id.is_in(delivery_ids))


async def _within_caps(rows: list[dict], people: dict[int, dict], now: datetime) -> tuple[list[dict], list[int]]:
    """Split deliveries into those under their resident's daily cap and the ids of those over it.

    A resident with several deliveries in the batch is counted once per pass, so the cap holds exactly.
    """
    allowed, over, waiting = [], [], rows
    while waiting:
        first: dict[int, dict] = {}
        later = []
        for row in waiting:
            if row["resident"] in first:
                later.append(row)
            else:
                first[row["resident"]] = row
        languages = {resident: people[resident]["language"] for resident in first}
        under = set(await _count_against_cap(list(first), languages, now))
        for resident, row in first.items():
            if resident in under:
                allowed.append(row)
            else:
                over.append(row["id"])
        waiting = later
    return allowed, over


async def _send_one(sending: Awaitable[None], gate: asyncio.Semaphore) -> Exception | None:
    async with gate:
        try:
            await asyncio.wait_for(sending, SEND_TIMEOUT_SECONDS)
        except Exception as exc:  # the gateway failing or slow: back off; the feed is unaffected
            return exc
    return None


async def _sort_out(claimed: list[dict], people: dict[int, dict], channel: str, now: datetime) -> list[dict]:
    """Skip what the resident turned off, defer what falls in their quiet hours; the rest may go now."""
    turned_off, deferred, ready = [], defaultdict(list), []
    for row in claimed:
        person = people[row["resident"]]
        wait_until = rules.quiet_until(now, person["quiet_from"], person["quiet_to"])
        if not person[channel] or (channel == "sms" and not person["phone"]):
            turned_off.append(row["id"])
        elif wait_until is not None:
            # Stored in UTC like every timestamp (SQLite compares them as text).
            deferred[wait_until.astimezone(UTC)].append(row["id"])
        else:
            ready.append(row)
    await _set(turned_off, state="skipped", last_error=f"{channel} turned off")
    for until, ids in deferred.items():
        await _set(ids, next_attempt_at=until)
    return ready


async def _failed(row: dict, failure: BaseException, now: datetime) -> None:
    attempts = row["attempts"] + 1
    await _set([row["id"]], attempts=attempts, state="dead" if attempts >= rules.MAX_ATTEMPTS else "failed",
               next_attempt_at=now + rules.backoff(attempts), last_error=f"{type(failure).__name__}: {failure}"[:500])


async def _sent(rows: list[dict]) -> None:
    if rows:
        await Delivery.update({Delivery.state: "sent", Delivery.sent_at: await database_now(),
                               Delivery.attempts: Delivery.attempts + 1}).where(
            Delivery.id.is_in([row["id"] for row in rows]))


async def send_batch(sms: SmsSender, settings: Settings) -> int:
    """Send one claimed batch of due SMS; returns how many were claimed (0: nothing is due)."""
    now = await database_now()
    claimed = await claim("sms", now)
    if not claimed:
        return 0
    people, events = await _recipients(sorted({row["resident"] for row in claimed}),
                                       sorted({row["event"] for row in claimed}))
    ready = await _sort_out(claimed, people, "sms", now)
    ready, over = await _within_caps(ready, people, now) if ready else ([], [])
    await _set(over, state="skipped", last_error=f"over the cap of {rules.SMS_PER_DAY} SMS a day")
    # A slow gateway is waited for a few messages at a time, not one after another.
    gate = asyncio.Semaphore(SEND_CONCURRENCY)
    outcomes = await asyncio.gather(*(
        _send_one(sms.send(people[row["resident"]]["phone"],
                           templates.sms_text(events[row["event"]]["kind"], people[row["resident"]]["language"],
                                              events[row["event"]]["payload"], settings.public_url)), gate)
        for row in ready))
    for row, failure in zip(ready, outcomes):
        if failure is not None:
            await _release_cap(row["resident"])
            await _failed(row, failure, now)
    await _sent([row for row, failure in zip(ready, outcomes) if failure is None])
    return len(claimed)


async def _push_to_devices(push: PushSender, devices: list[Subscription], data: str,
                           gate: asyncio.Semaphore) -> BaseException | None:
    """Push to each of a resident's browsers: None when one took it, SubscriptionGone when every one is gone
    (each gone one is deleted), or the first failure to retry with."""
    outcomes = await asyncio.gather(*(_send_one(push.send(device, data), gate) for device in devices))
    for device, failure in zip(devices, outcomes):
        if isinstance(failure, SubscriptionGone):
            await subscriptions.forget(device.endpoint)
    if any(failure is None for failure in outcomes):
        return None
    return next((f for f in outcomes if not isinstance(f, SubscriptionGone)), outcomes[0])


async def send_push_batch(push: PushSender, settings: Settings) -> int:
    """Send one claimed batch of due Web Push messages to every browser of each resident."""
    now = await database_now()
    claimed = await claim("push", now)
    if not claimed:
        return 0
    people, events = await _recipients(sorted({row["resident"] for row in claimed}),
                                       sorted({row["event"] for row in claimed}))
    ready = await _sort_out(claimed, people, "push", now)
    devices = await subscriptions.subscriptions_of(sorted({row["resident"] for row in ready}))
    gone = [row["id"] for row in ready if not devices.get(row["resident"])]
    await _set(gone, state="skipped", last_error="no browser subscribed")
    ready = [row for row in ready if devices.get(row["resident"])]
    gate = asyncio.Semaphore(SEND_CONCURRENCY)
    outcomes = []
    for row in ready:
        message = templates.render(events[row["event"]]["kind"], people[row["resident"]]["language"],
                                   events[row["event"]]["payload"], settings.public_url)
        data = json.dumps({"title": message.title, "body": message.text, "url": message.url}, ensure_ascii=False)
        outcomes.append(_push_to_devices(push, devices[row["resident"]], data, gate))
    results = await asyncio.gather(*outcomes)
    await _set([row["id"] for row, failure in zip(ready, results) if isinstance(failure, SubscriptionGone)],
               state="skipped", last_error="every browser unsubscribed")
    for row, failure in zip(ready, results):
        if failure is not None and not isinstance(failure, SubscriptionGone):
            await _failed(row, failure, now)
    await _sent([row for row, failure in zip(ready, results) if failure is None])
    return len(claimed)


async def run_once(sms: SmsSender, settings: Settings, batch_size: int = FANOUT_BATCH,
                   push: PushSender | None = None) -> None:
    """One run of the worker: fan out what is due, then send what is due, each within BATCHES_PER_RUN."""
    for _ in range(BATCHES_PER_RUN):
        if await fan_out_batch(batch_size) is None:
            break
    for _ in range(BATCHES_PER_RUN):
        if not await send_batch(sms, settings):
            break
    for _ in range(BATCHES_PER_RUN if push is not None else 0):
        if not await send_push_batch(push, settings):
            break
