"""The admin API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class SessionRequest(msgspec.Struct):
    email: str
    password: str
    # The authenticator app's 6-digit code, for accounts with two-factor sign-in.
    totp: str | None = None


class StaffSession(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"


class VoteRulesIn(msgspec.Struct, forbid_unknown_fields=True):
    method: str
    min_choices: int | None = None
    max_choices: int | None = None
    max_cost: int | None = None
    points_total: int | None = None


class RoundIn(msgspec.Struct, forbid_unknown_fields=True):
    region: str
    title: dict[str, str]
    budget: int
    vote: VoteRulesIn
    voting_opens_at: datetime
    voting_closes_at: datetime
    rule: str = "greedy"
    min_age: int = 18
    auto_publish: bool = True
    description: dict[str, str] = {}
    min_project_score: int | None = None


class RoundChanges(msgspec.Struct, forbid_unknown_fields=True):
    title: dict[str, str] | None = None
    description: dict[str, str] | None = None
    budget: int | None = None
    rule: str | None = None
    min_age: int | None = None
    vote: VoteRulesIn | None = None
    voting_opens_at: datetime | None = None
    voting_closes_at: datetime | None = None
    auto_publish: bool | None = None
    min_project_score: int | None = None


class ProjectIn(msgspec.Struct, forbid_unknown_fields=True):
    title: dict[str, str]
    cost: int
    description: dict[str, str] = {}
    region: str | None = None


class StaffIn(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str
    region: str
    role: str


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
