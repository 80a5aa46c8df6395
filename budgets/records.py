"""Rounds and projects as the rest of Dauys reads them: typed, immutable records built from rows in one place.

A row is a `dict[str, Any]` whose shape lives only in tables.py; a record names its fields, so a misspelt
field fails at import time in a type checker and at once in a test, not as a KeyError on some later page.
Times are aware UTC datetimes here (SQLite hands back naive ones), so readers never convert them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from budgets.ballots import VoteRules
from core.clock import as_utc


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


@dataclass(frozen=True)
class RoundDraft:
    """A round's settings: what staff write, and what a change is checked against (budgets.rounds.check_round)."""

    region: str
    title: dict[str, str]
    description: dict[str, str]
    budget: int
    rule: str
    min_age: int
    vote: VoteRules
    voting_opens_at: datetime
    voting_closes_at: datetime
    auto_publish: bool
    min_project_score: int | None = None
    # The ideas phase, when the round has one: residents propose from the first to the second, staff
    # review until voting opens.
    ideas_opens_at: datetime | None = None
    ideas_closes_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RoundRecord(RoundDraft):
    """A stored round: its settings, and what the round's life has added to them."""

    id: int
    # As stored; what residents see is budgets.rounds.effective_status, which the clock may have moved on.
    status: str
    closed_at: datetime | None
    tallied_at: datetime | None
    published_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RoundRecord:
        return cls(
            id=row["id"],
            region=row["region"],
            title=row["title"],
            description=row["description"] or {},
            budget=row["budget"],
            rule=row["rule"],
            min_age=row["min_age"],
            vote=VoteRules(
                method=row["vote_method"],
                min_choices=row["min_choices"],
                max_choices=row["max_choices"],
                max_cost=row["max_cost"],
                points_total=row["points_total"],
            ),
            min_project_score=row["min_project_score"],
            voting_opens_at=as_utc(row["voting_opens_at"]),
            voting_closes_at=as_utc(row["voting_closes_at"]),
            auto_publish=row["auto_publish"],
            ideas_opens_at=_utc(row["ideas_opens_at"]),
            ideas_closes_at=_utc(row["ideas_closes_at"]),
            status=row["status"],
            closed_at=_utc(row["closed_at"]),
            tallied_at=_utc(row["tallied_at"]),
            published_at=_utc(row["published_at"]),
            created_at=as_utc(row["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    id: int
    round_id: int
    region: str
    title: dict[str, str]
    description: dict[str, str]
    cost: int
    # Set for a project brought in from a Pabulib file (its id there).
    external_id: str | None
    # The accepted idea or the initiative put on the ballot that the project came from, if any.
    idea_id: int | None
    initiative_id: int | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ProjectRecord:
        return cls(
            id=row["id"],
            round_id=row["round"],
            region=row["region"],
            title=row["title"],
            description=row["description"] or {},
            cost=row["cost"],
            external_id=row["external_id"],
            idea_id=row["idea_id"],
            initiative_id=row["initiative_id"],
            created_at=as_utc(row["created_at"]),
        )
