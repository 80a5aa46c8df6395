"""Bringing a past election in from a Pabulib file: a closed round with its projects and ballots,
counted by the scheduler like any other and published when staff have checked it.

Dauys keeps money in whole tenge; a file with fractional costs or budget is rounded to the nearest
unit and each rounding is reported, since it can change a close outcome.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from fractions import Fraction

from budgets.pabulib import PabulibInstance, to_election
from budgets.rules import RULES
from budgets.tables import Ballot, Project, Round
from core import audit
from core.clock import database_now
from core.regions import region_path
from infra.database import write_transaction
from infra.errors import FieldError, RuleBroken

FILE_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1-greedy": "mes-add1-greedy",
}
CHUNK = 1000  # rows per INSERT: asyncpg takes at most 32,767 parameters in one statement


@dataclass
class ImportReport:
    round_id: int
    projects: int
    ballots: int
    rule: str
    warnings: list[str] = field(default_factory=list)


def _whole(value: int | Fraction, what: str, warnings: list[str]) -> int:
    whole = round(value)
    if whole != value:
        warnings.append(f"{what} {float(value)} rounded to {whole} (Dauys keeps whole units)")
    return whole


def _date(text: str | None, fallback: datetime) -> datetime:
    if not text:
        return fallback
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y"):
        try:
            return datetime.combine(datetime.strptime(text.strip(), pattern).date(), time(), UTC)
        except ValueError:
            continue
    return fallback


def _vote_rules(meta: dict[str, str]) -> dict:
    vote_type = meta["vote_type"].strip().lower()
    lengths = {
        "min_choices": int(meta["min_length"]) if meta.get("min_length") else None,
        "max_choices": int(meta["max_length"]) if meta.get("max_length") else None,
    }
    if vote_type == "choose-1":
        return {"vote_method": "approval", "min_choices": 1, "max_choices": 1}
    if vote_type == "approval":
        if meta.get("max_sum_cost"):
            return {"vote_method": "knapsack", **lengths, "max_cost": round(Fraction(meta["max_sum_cost"]))}
        return {"vote_method": "approval", **lengths}
    points = meta.get("max_sum_points")
    # Ordinal ballots arrive as points (see budgets.pabulib); their total varies by ballot length.
    return {"vote_method": "points", **lengths, "points_total": int(points) if points else None}


async def import_instance(actor: str, instance: PabulibInstance, region: str, rule: str | None = None
                          ) -> ImportReport:
    election = to_election(instance)
    meta = instance.meta
    warnings: list[str] = []
    rule = rule or FILE_RULES.get(meta.get("rule", "").strip(), "greedy")
    if rule not in RULES:
        raise RuleBroken("rule must be one of {rules}", [FieldError("rule", "unknown rule")], rules=", ".join(RULES))
    if meta.get("rule", "").strip() not in FILE_RULES and rule == "greedy":
        warnings.append(f"the file's rule {meta.get('rule')!r} is not one Dauys computes; counting with greedy")
    path = await region_path(region)
    now = await database_now()
    closes = _date(meta.get("date_end"), now)
    opens = min(_date(meta.get("date_begin"), closes), closes)
    title = " ".join(part for part in (meta.get("unit"), meta.get("subunit"), meta.get("instance")) if part)
    threshold = election.min_project_score
    async with write_transaction():
        round_row = Round(
            region=region,
            title={"en": title or meta.get("description", "Imported election")},
            description={"en": meta.get("description", "")},
            budget=_whole(election.budget, "budget", warnings),
            rule=rule,
            min_age=18,
            **_vote_rules(meta),
            min_project_score=None if threshold is None else _whole(threshold, "threshold", warnings),
            voting_opens_at=opens,
            voting_closes_at=closes,
            # A past election is published by a person who has compared it with the original protocol.
            auto_publish=False,
            status="closed",
            closed_at=now,
            created_at=now,
        )
        await round_row.save()
        ids: dict[str, int] = {}
        for external_id, row in instance.projects.items():
            name = row.get("name") or row.get("title") or external_id
            project = Project(round=round_row.id, region=region, title={"en": name}, description={},
                              cost=_whole(election.costs[external_id], f"cost of {external_id}", warnings),
                              external_id=external_id, created_at=now)
            await project.save()
            ids[external_id] = project.id
        ballots = [
            Ballot(
                round=round_row.id,
                # Pseudonyms of the file's anonymous voters, distinct per round like any other.
                voter=hashlib.sha256(f"import:{round_row.id}:{number}".encode()).hexdigest(),
                revision=1,
                receipt=hashlib.sha256(f"import-receipt:{round_row.id}:{number}".encode()).hexdigest()[:32],
                choices=[[ids[pid], points] for pid, points in ballot.items()],
                cast_at=closes,
                status="counted",
                channel="import",
            )
            for number, ballot in enumerate(election.ballots, start=1)
        ]
        for start in range(0, len(ballots), CHUNK):
            await Ballot.insert(*ballots[start:start + CHUNK])
        await audit.record(actor, "round.import", f"round:{round_row.id}", path, None,
                           {"file": title, "projects": len(ids), "ballots": len(ballots), "rule": rule,
                            "warnings": warnings})
    return ImportReport(round_row.id, len(ids), len(ballots), rule, warnings)
