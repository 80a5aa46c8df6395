"""Sending Web Push messages (VAPID, RFC 8291 encryption) to the browsers residents subscribed."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

# A push service keeps a message this long for a phone that is off, then drops it.
TTL_SECONDS = 24 * 3600
TIMEOUT_SECONDS = 10


class SubscriptionGone(Exception):
    """The push service answered 404 or 410: the browser unsubscribed; the subscription must be deleted."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


@runtime_checkable
class PushSender(Protocol):
    async def send(self, subscription: Subscription, data: str) -> None: ...


class WebPushSender:
    def __init__(self, private_key: str, subject: str):
        self.vapid = Vapid.from_string(private_key=private_key)
        self.subject = subject

    @property
    def public_key(self) -> str:
        """The applicationServerKey browsers subscribe with: the uncompressed point, base64url."""
        raw = self.vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    async def send(self, subscription: Subscription, data: str) -> None:
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            await webpush_async(info, data, vapid_private_key=self.vapid, vapid_claims={"sub": self.subject},
                                ttl=TTL_SECONDS, timeout=TIMEOUT_SECONDS)
        except WebPushException as exc:
            status = getattr(exc.response, "status", None) or getattr(exc.response, "status_code", None)
            if status in (404, 410):
                raise SubscriptionGone(subscription.endpoint) from exc
            raise


def make_push(private_key: str | None, subject: str) -> WebPushSender | None:
    return WebPushSender(private_key, subject) if private_key else None
