"""Counting a closed round with its rule, and the two documents that come out of it: results and ballots.

Both are written once, from one snapshot of the counted ballots, so that the published Pabulib file
recounts to exactly the published results (principle 4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from budgets import pabulib
from budgets.ballots import stored_choices
from budgets.records import ProjectRecord, RoundRecord
from budgets.rounds import projects_of
from budgets.rules import Election, Outcome, tally
from budgets.tables import Ballot, RoundResult

PABULIB_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "mes": "equalshares",
    "mes-add1": "equalshares/add1",
    "mes-add1-greedy": "equalshares/add1-greedy",
}


@dataclass(frozen=True)
class Count:
    spent: int
    voters: int
    projects: list[dict[str, Any]]
    pabulib: str


def _tenge(value: int | Fraction) -> float:
    """A payment shown to people: tenge with two decimals (the exact value stays in the rule's output)."""
    return round(float(value), 2)


def project_documents(outcome: Outcome) -> list[dict[str, Any]]:
    return [
        {
            "project_id": int(p.project_id),
            "votes": p.votes,
            "score": p.score,
            "selected": p.selected,
            "cost": int(p.cost),
            "reason": p.reason,
            "price_per_voter": None if p.price_per_voter is None else _tenge(p.price_per_voter),
        }
        for p in outcome.projects
    ]


def pabulib_instance(round_: RoundRecord, projects: list[ProjectRecord], ballots: list[list[list[int]]],
                     outcome: Outcome) -> pabulib.PabulibInstance:
    method = round_.vote.method
    meta = {
        "description": f"Dauys round {round_.id}",
        "country": "Kazakhstan",
        "unit": round_.region,
        "instance": str(round_.id),
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": str(round_.budget),
        "vote_type": "cumulative" if method == "points" else "approval",
        "rule": PABULIB_RULES[round_.rule],
        "date_begin": round_.voting_opens_at.date().isoformat(),
        "date_end": round_.voting_closes_at.date().isoformat(),
        "language": "kk,ru,en",
        "currency": "KZT",
    }
    if round_.vote.min_choices is not None:
        meta["min_length"] = str(round_.vote.min_choices)
    if round_.vote.max_choices is not None:
        meta["max_length"] = str(round_.vote.max_choices)
    if method == "knapsack":
        meta["max_sum_cost"] = str(round_.vote.max_cost or round_.budget)
    if method == "points":
        meta["max_sum_points"] = meta["min_sum_points"] = str(round_.vote.points_total)
    if round_.min_project_score is not None:
        meta["min_project_score_threshold"] = str(round_.min_project_score)
    counted = {p.project_id: p for p in outcome.projects}
    rows = {}
    for project in projects:
        result = counted[str(project.id)]
        title = project.title
        rows[str(project.id)] = {
            "cost": str(project.cost),
            "votes": str(result.votes),
            "score": str(result.score),
            "name": title.get("ru") or title.get("kk") or title.get("en", ""),
            "selected": "1" if result.selected else "0",
        }
    votes = []
    for number, choices in enumerate(ballots, start=1):
        row = {"voter_id": str(number), "vote": ",".join(str(pid) for pid, _ in choices)}
        if method == "points":
            row["points"] = ",".join(str(points) for _, points in choices)
        votes.append(row)
    return pabulib.PabulibInstance(meta=meta, projects=rows, votes=votes)


async def counted_ballots(round_id: int) -> tuple[list[ProjectRecord], list[list[list[int]]]]:
    """The round's projects and counted ballots, as one count reads them."""
    projects = await projects_of(round_id)
    # Ordered by pseudonym, which is random-looking: the file's voter order says nothing about who or when.
    rows = await Ballot.select(Ballot.choices).where(
        (Ballot.round == round_id) & (Ballot.status == "counted")
    ).order_by(Ballot.voter)
    ballots = [stored_choices(r["choices"]) for r in rows]
    return projects, ballots


def count_round(round_: RoundRecord, projects: list[ProjectRecord], ballots: list[list[list[int]]]) -> Count:
    """Pure computation: the round's rule over its ballots, and the Pabulib file of those ballots."""
    election = Election(
        budget=round_.budget,
        costs={str(p.id): p.cost for p in projects},
        ballots=[{str(pid): points for pid, points in choices} for choices in ballots],
        min_project_score=round_.min_project_score,
    )
    outcome = tally(round_.rule, election)
    return Count(
        spent=int(outcome.spent),
        voters=len(ballots),
        projects=project_documents(outcome),
        pabulib=pabulib.dumps(pabulib_instance(round_, projects, ballots, outcome)),
    )


def results_document(round_: RoundRecord, result: dict[str, Any]) -> dict[str, Any]:
    projects = result["projects"]
    if isinstance(projects, str):
        projects = json.loads(projects)
    return {
        "round_id": round_.id,
        "rule": result["rule"],
        "budget": result["budget"],
        "spent": result["spent"],
        "voters": result["voters"],
        "published_at": round_.published_at,
        "projects": projects,
    }


async def stored_result(round_id: int) -> dict[str, Any] | None:
    return await RoundResult.select().where(RoundResult.round == round_id).first()
