"""The mobile API's request and response bodies (field names are the contract's, see API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from budgets.clock import as_utc
from budgets.rounds import effective_status
from server.http import Id, ShortText, SmallCount, localized


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


class VoteRulesOut(msgspec.Struct):
    method: str
    min_choices: int | None
    max_choices: int | None
    max_cost: int | None
    points_total: int | None


class RoundOut(msgspec.Struct):
    id: int
    region: str
    title: str
    description: str
    budget: int
    status: str
    rule: str
    min_age: int
    voting_opens_at: datetime
    voting_closes_at: datetime
    auto_publish: bool
    min_project_score: int | None
    vote: VoteRulesOut
    title_i18n: dict[str, str]
    description_i18n: dict[str, str]


class ProjectOut(msgspec.Struct):
    id: int
    round_id: int
    title: str
    description: str
    cost: int
    region: str
    title_i18n: dict[str, str]
    description_i18n: dict[str, str]
    public_url: str


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


class ProjectResultOut(msgspec.Struct):
    project_id: int
    votes: int
    score: int
    selected: bool
    cost: int
    reason: str | None
    price_per_voter: float | None


class ResultsOut(msgspec.Struct):
    round_id: int
    rule: str
    budget: int
    spent: int
    voters: int
    published_at: datetime | None
    projects: list[ProjectResultOut]


def results_out(document: dict[str, Any]) -> ResultsOut:
    return msgspec.convert(document, ResultsOut)


def round_out(row: dict[str, Any], language: str, now: datetime) -> RoundOut:
    return RoundOut(
        id=row["id"],
        region=row["region"],
        title=localized(row["title"], language),
        description=localized(row["description"], language),
        budget=row["budget"],
        status=effective_status(row, now),
        rule=row["rule"],
        min_age=row["min_age"],
        voting_opens_at=as_utc(row["voting_opens_at"]),
        voting_closes_at=as_utc(row["voting_closes_at"]),
        auto_publish=row["auto_publish"],
        min_project_score=row["min_project_score"],
        vote=VoteRulesOut(
            method=row["vote_method"],
            min_choices=row["min_choices"],
            max_choices=row["max_choices"],
            max_cost=row["max_cost"],
            points_total=row["points_total"],
        ),
        title_i18n=row["title"],
        description_i18n=row["description"] or {},
    )


def project_out(row: dict[str, Any], language: str, public_url: str) -> ProjectOut:
    return ProjectOut(
        id=row["id"],
        round_id=row["round"],
        title=localized(row["title"], language),
        description=localized(row["description"], language),
        cost=row["cost"],
        region=row["region"],
        title_i18n=row["title"],
        description_i18n=row["description"] or {},
        public_url=f"{public_url}/projects/{row['id']}",
    )
