"""The admin API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from budgets.integrity import MAX_REASON
from infra.http import Money, ShortText, SmallCount, Texts


class SessionRequest(msgspec.Struct):
    email: ShortText
    password: ShortText
    # The authenticator app's 6-digit code, for accounts with two-factor sign-in.
    totp: str | None = None


class StaffSession(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"


class VoteRulesIn(msgspec.Struct, forbid_unknown_fields=True):
    method: ShortText
    min_choices: SmallCount | None = None
    max_choices: SmallCount | None = None
    max_cost: Money | None = None
    points_total: SmallCount | None = None


class RoundIn(msgspec.Struct, forbid_unknown_fields=True):
    region: ShortText
    title: Texts
    budget: Money
    vote: VoteRulesIn
    voting_opens_at: datetime
    voting_closes_at: datetime
    rule: ShortText = "greedy"
    min_age: SmallCount = 18
    auto_publish: bool = True
    description: Texts = {}
    min_project_score: Money | None = None
    ideas_opens_at: datetime | None = None
    ideas_closes_at: datetime | None = None


class RoundChanges(msgspec.Struct, forbid_unknown_fields=True):
    title: Texts | None = None
    description: Texts | None = None
    budget: Money | None = None
    rule: ShortText | None = None
    min_age: SmallCount | None = None
    vote: VoteRulesIn | None = None
    voting_opens_at: datetime | None = None
    voting_closes_at: datetime | None = None
    auto_publish: bool | None = None
    min_project_score: Money | None = None
    ideas_opens_at: datetime | None = None
    ideas_closes_at: datetime | None = None


class ProjectIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Texts
    cost: Money
    description: Texts = {}
    region: ShortText | None = None


class StaffIn(msgspec.Struct, forbid_unknown_fields=True):
    email: ShortText
    password: ShortText
    region: ShortText
    role: ShortText


class StaffOut(msgspec.Struct):
    id: int
    email: str
    region: str
    role: str


class AuditItem(msgspec.Struct):
    id: int
    at: str
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


class AuditPage(msgspec.Struct):
    items: list[AuditItem]
    next_cursor: str | None


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    action: ShortText
    reason: Annotated[str, msgspec.Meta(max_length=MAX_REASON)]


class ReviewOut(msgspec.Struct):
    ballot_id: int
    receipt_hash: str
    status: str
    reason: str


class AnomalyOut(msgspec.Struct):
    id: int
    kind: str
    subject: str
    window_start: datetime
    window_end: datetime
    detail: dict[str, Any]
    detected_at: datetime


class IdentityReleaseIn(msgspec.Struct, forbid_unknown_fields=True):
    iin: ShortText
    # Published beside every ballot set aside: {"kk": "...", "ru": "..."}.
    reason: dict[ShortText, Annotated[str, msgspec.Meta(max_length=MAX_REASON)]]


class IdentityReleaseOut(msgspec.Struct):
    resident_id: int
    region: str | None
    ballots_set_aside: int
    rounds: list[int]


class DeadLetterOut(msgspec.Struct):
    delivery_id: int
    event_kind: str
    channel: str
    attempts: int
    last_error: str | None


class SmsCountsOut(msgspec.Struct):
    queued: int
    sent: int
    failed: int
    dead: int
    # Over the resident's daily cap or turned off since: the feed still has them.
    skipped: int


class NotificationCountsOut(msgspec.Struct):
    round_id: int
    # Events about the round by state; `pending` ones are still being fanned out.
    events: dict[str, int]
    # Feed items shown to residents.
    feed: int
    sms: SmsCountsOut
    # The latest deliveries given up on, newest first (at most 50).
    dead_letters: list[DeadLetterOut]


class BallotProposalIn(msgspec.Struct, forbid_unknown_fields=True):
    """An initiative past its ballot threshold as a project of a round (POST .../initiatives/{id}/ballot)."""

    round_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    cost: Money
    title: Texts | None = None
