"""Web Push subscriptions: one per browser a resident allowed notifications in."""

from __future__ import annotations

from infra.database import write_transaction
from infra.push import Subscription
from notify.tables import PushSubscription


async def subscribe(resident_id: int, subscription: Subscription) -> None:
    """Keep a browser's subscription; the same endpoint again (a renewed key, another account) replaces it."""
    values = {PushSubscription.resident: resident_id, PushSubscription.p256dh: subscription.p256dh,
              PushSubscription.auth: subscription.auth}
    async with write_transaction():
        await PushSubscription.insert(PushSubscription(endpoint=subscription.endpoint, resident=resident_id,
                                                       p256dh=subscription.p256dh, auth=subscription.auth)
                                      ).on_conflict(target=PushSubscription.endpoint, action="DO UPDATE",
                                                    values=list(values))


async def unsubscribe(resident_id: int, endpoint: str) -> None:
    await PushSubscription.delete().where((PushSubscription.resident == resident_id)
                                          & (PushSubscription.endpoint == endpoint))


async def forget(endpoint: str) -> None:
    """The push service says the browser is gone (404 or 410)."""
    await PushSubscription.delete().where(PushSubscription.endpoint == endpoint)


async def subscriptions_of(resident_ids: list[int]) -> dict[int, list[Subscription]]:
    rows = await PushSubscription.select().where(PushSubscription.resident.is_in(resident_ids)) if resident_ids else []
    found: dict[int, list[Subscription]] = {}
    for row in rows:
        found.setdefault(row["resident"], []).append(Subscription(row["endpoint"], row["p256dh"], row["auth"]))
    return found
