"""The published shapes of rounds, projects and results: residents, staff and the public see the same ones,
so both faces answer with these (field names are the contract's, see API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from budgets.rounds import effective_status
from core.clock import as_utc
from infra.http import localized


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
    ideas_opens_at: datetime | None = None
    ideas_closes_at: datetime | None = None


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
    # The resident's idea the project was accepted from, when it was.
    idea_id: int | None = None
    # The residents' initiative put on the ballot as this project, when it was.
    initiative_id: int | None = None


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
        ideas_opens_at=as_utc(row["ideas_opens_at"]) if row.get("ideas_opens_at") else None,
        ideas_closes_at=as_utc(row["ideas_closes_at"]) if row.get("ideas_closes_at") else None,
    )


def project_page(public_url: str, project_id: int) -> str:
    """The resident site's page of a project, where residents read it and vote: what its QR codes open."""
    return f"{public_url}/projects/{project_id}"


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
        public_url=project_page(public_url, row["id"]),
        idea_id=row.get("idea_id"),
        initiative_id=row.get("initiative_id"),
    )
