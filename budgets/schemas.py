"""The published shapes of rounds, projects and results: residents, staff and the public see the same ones,
so both faces answer with these (field names are the contract's, see API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from budgets.records import ProjectRecord, RoundRecord
from budgets.rounds import effective_status
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


def round_out(round_: RoundRecord, language: str, now: datetime) -> RoundOut:
    vote = round_.vote
    return RoundOut(
        id=round_.id,
        region=round_.region,
        title=localized(round_.title, language),
        description=localized(round_.description, language),
        budget=round_.budget,
        status=effective_status(round_, now),
        rule=round_.rule,
        min_age=round_.min_age,
        voting_opens_at=round_.voting_opens_at,
        voting_closes_at=round_.voting_closes_at,
        auto_publish=round_.auto_publish,
        min_project_score=round_.min_project_score,
        vote=VoteRulesOut(
            method=vote.method,
            min_choices=vote.min_choices,
            max_choices=vote.max_choices,
            max_cost=vote.max_cost,
            points_total=vote.points_total,
        ),
        title_i18n=round_.title,
        description_i18n=round_.description,
        ideas_opens_at=round_.ideas_opens_at,
        ideas_closes_at=round_.ideas_closes_at,
    )


def project_page(public_url: str, project_id: int) -> str:
    """The resident site's page of a project, where residents read it and vote: what its QR codes open."""
    return f"{public_url}/projects/{project_id}"


def project_out(project: ProjectRecord, language: str, public_url: str) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        round_id=project.round_id,
        title=localized(project.title, language),
        description=localized(project.description, language),
        cost=project.cost,
        region=project.region,
        title_i18n=project.title,
        description_i18n=project.description,
        public_url=project_page(public_url, project.id),
        idea_id=project.idea_id,
        initiative_id=project.initiative_id,
    )
