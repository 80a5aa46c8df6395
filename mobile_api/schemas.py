"""The mobile API's own request and response bodies (field names are the contract's, see API.md); the shapes
both faces publish (rounds, projects, results) are the domain's, in budgets/schemas.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from infra.http import Id, ShortText, SmallCount


class OtpRequest(msgspec.Struct):
    phone: ShortText


class OtpSent(msgspec.Struct):
    expires_in: int


class TokenRequest(msgspec.Struct):
    phone: ShortText
    code: ShortText


class RefreshRequest(msgspec.Struct):
    refresh_token: ShortText


class Tokens(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


class ResidencyRequest(msgspec.Struct):
    iin: ShortText
    region: ShortText


class Me(msgspec.Struct):
    id: int
    phone: str
    region: str | None
    age: int | None
    language: str


class RegionOut(msgspec.Struct):
    kato: str
    name: str
    parent: str | None
    population: int | None


class ChoiceIn(msgspec.Struct, forbid_unknown_fields=True):
    project_id: Id
    points: SmallCount | None = None


class BallotIn(msgspec.Struct):
    choices: Annotated[list[ChoiceIn], msgspec.Meta(max_length=1000)]


class ChoiceOut(msgspec.Struct, omit_defaults=True):
    project_id: int
    points: int | None = None


class CastOut(msgspec.Struct):
    receipt: str
    cast_at: datetime
    revision: int


class BallotOut(msgspec.Struct):
    choices: list[ChoiceOut]
    receipt: str
    revision: int
    cast_at: datetime


class MyBallotOut(msgspec.Struct):
    """My counted ballot in one round (GET /api/v1/me/ballots)."""

    round_id: int
    round_title: str
    round_status: str
    ballot: BallotOut


class ReceiptOut(msgspec.Struct):
    round_id: int
    status: str
    cast_at: datetime
    # Find this in GET /api/v1/rounds/{round_id}/ledger to see the ballot in the public ledger.
    receipt_hash: str


class InvalidationOut(msgspec.Struct):
    receipt_hash: str
    status: str
    reason: str | None
    at: datetime


class LedgerEntry(msgspec.Struct):
    seq: int
    receipt_hash: str
    cast_at: str
    revision: int
    status: str
    chain: str


class Checkpoint(msgspec.Struct):
    upto: str
    entries: int
    hash: str
    created_at: str


class LedgerOut(msgspec.Struct):
    round_id: int
    entries: list[LedgerEntry]
    checkpoints: list[Checkpoint]


class NotificationOut(msgspec.Struct):
    id: int
    kind: str
    title: str
    text: str
    # The page on the resident site that the notification is about.
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(msgspec.Struct):
    items: list[NotificationOut]
    # Pass as `cursor` for the next, older page; null on the last page.
    next_cursor: int | None


class ChannelsIn(msgspec.Struct):
    sms: bool = True
    push: bool = True


class QuietHours(msgspec.Struct):
    # "HH:MM" in Kazakhstan time (UTC+5); from after to runs past midnight (22:00 to 08:00). Plain strings,
    # checked by notify.rules, so that any bad time is the same 422 naming the field.
    from_: str = msgspec.field(name="from")
    to: str


class PreferencesIn(msgspec.Struct):
    # A plain string without a length bound, checked by notify.rules (422 naming the field): Litestar takes a
    # decoding error at a body key named like a dependency (`language` is one) for a broken dependency, a 500.
    language: str
    channels: ChannelsIn = msgspec.field(default_factory=ChannelsIn)
    quiet_hours: QuietHours | None = None


class PreferencesOut(msgspec.Struct):
    language: str
    channels: ChannelsIn
    quiet_hours: QuietHours | None


class FollowOut(msgspec.Struct):
    kind: str
    id: str


class PushKeys(msgspec.Struct):
    p256dh: ShortText
    auth: ShortText


class PushSubscriptionIn(msgspec.Struct):
    """A browser's PushSubscription as its toJSON() gives it."""

    endpoint: Annotated[str, msgspec.Meta(max_length=1000, pattern=r"^https://")]
    keys: PushKeys


class PushKeyOut(msgspec.Struct):
    # The VAPID public key to pass as applicationServerKey to pushManager.subscribe().
    public_key: str
