"""Web Push: the VAPID sender against a local push service, and the worker's push channel end to end."""

from __future__ import annotations

import base64
import json
import os

import http_ece
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from infra.push import Subscription, SubscriptionGone, WebPushSender
from notify import follows
from notify.tables import Delivery, PushSubscription
from tests.helpers import resident
from tests.integration.notify.helpers import ALMALY, publish, resident_id, voting_round


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_key() -> str:
    return b64(ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big"))


class Browser:
    """A browser's side of a subscription: its key pair and auth secret, to read what was pushed."""

    def __init__(self, endpoint: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        self.subscription = Subscription(endpoint, b64(public), b64(self.auth))

    def read(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


@pytest.fixture
async def push_service():
    """A push service on 127.0.0.1: 201 for /ok, 410 for /gone; it keeps what it received."""
    received: list[tuple[str, dict, bytes]] = []

    async def accept(request: web.Request) -> web.Response:
        received.append((request.path, dict(request.headers), await request.read()))
        return web.Response(status=410 if request.path.startswith("/gone") else 201)

    app = web.Application()
    app.router.add_post("/{name}", accept)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", received
    await runner.cleanup()


async def test_the_sender_encrypts_for_the_browser_signs_with_vapid_and_reports_gone(push_service):
    base, received = push_service
    sender = WebPushSender(vapid_key(), "mailto:support@dauys.kz")
    browser = Browser(f"{base}/ok")
    await sender.send(browser.subscription, json.dumps({"title": "Итоги опубликованы"}))
    path, headers, body = received[0]
    assert headers["Content-Encoding"] == "aes128gcm" and headers["Authorization"].startswith("vapid t=")
    assert f"k={sender.public_key}" in headers["Authorization"]
    assert browser.read(body) == {"title": "Итоги опубликованы"}
    with pytest.raises(SubscriptionGone):
        await sender.send(Browser(f"{base}/gone").subscription, "{}")


class Recorder:
    def __init__(self, gone: set[str] = frozenset()):
        self.sent: list[tuple[str, dict]] = []
        self.gone = gone

    async def send(self, subscription: Subscription, data: str) -> None:
        if subscription.endpoint in self.gone:
            raise SubscriptionGone(subscription.endpoint)
        self.sent.append((subscription.endpoint, json.loads(data)))


async def test_a_follower_gets_one_push_per_browser_and_a_gone_browser_is_forgotten(client, outbox, monkeypatch):
    from infra.settings import get_settings
    from infra.sms import make_sender
    from notify import worker

    app = client._transport.app
    monkeypatch.setattr(app.state, "push", WebPushSender(vapid_key(), "mailto:support@dauys.kz"), raising=False)
    key = (await client.get("/api/v1/push/key")).json()["public_key"]
    assert key == app.state.push.public_key
    staff, round_id, _ = await voting_round(client, "notify-push@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    person_id = await resident_id(client, person)
    await follows.follow(person_id, "round", str(round_id))
    phone, laptop = "https://push.example/phone", "https://push.example/laptop"
    for endpoint in (phone, laptop):
        body = {"endpoint": endpoint, "keys": {"p256dh": "BPk", "auth": "au"}}
        assert (await client.put("/api/v1/me/push-subscriptions", json=body,
                                 headers=person["headers"])).status_code == 204
    await publish(client, staff, round_id)

    pusher = Recorder(gone={laptop})
    settings = get_settings()
    await worker.run_once(make_sender(settings.sms_backend), settings, push=pusher)
    await worker.run_once(make_sender(settings.sms_backend), settings, push=pusher)
    assert [endpoint for endpoint, _ in pusher.sent] == [phone]
    assert pusher.sent[0][1] == {"title": "Итоги опубликованы", "body": "«Бюджет участия»: посмотрите, какие проекты "
                                 "победили.", "url": f"http://dauys.test/rounds/{round_id}/results"}
    assert [r["endpoint"] for r in await PushSubscription.select().where(PushSubscription.resident == person_id)] == [
        phone]
    push = await Delivery.select().where((Delivery.resident == person_id) & (Delivery.channel == "push")).first()
    assert push["state"] == "sent"
    assert (await client.delete("/api/v1/me/push-subscriptions", params={"endpoint": phone},
                                headers=person["headers"])).status_code == 204
    assert not await PushSubscription.exists().where(PushSubscription.resident == person_id)


async def test_without_a_vapid_key_push_is_not_offered(client, outbox):
    person = await resident(client, outbox, ALMALY)
    assert (await client.get("/api/v1/push/key")).status_code == 404
    body = {"endpoint": "https://push.example/x", "keys": {"p256dh": "BPk", "auth": "au"}}
    assert (await client.put("/api/v1/me/push-subscriptions", json=body, headers=person["headers"])).status_code == 404
