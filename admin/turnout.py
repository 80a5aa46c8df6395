"""Turnout for the console: voters so far, over time, by age group and by sub-region.

Ballots carry only a per-round pseudonym. The breakdown by age and sub-region recomputes the
pseudonyms of the round's eligible residents and counts the matches, in memory, keeping nothing but
the totals; choices are never read. It is cached briefly because it hashes every eligible resident.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.query.functions.aggregate import Count

from budgets.casting import pseudonym
from budgets.records import RoundRecord
from budgets.tables import Ballot
from core.clock import as_utc
from core.eligibility import age_when_voting_opens, old_enough
from core.regions import contains, region_path
from core.residents import registered_in, voter_identity
from core.tables import Region
from infra.stores import Store

AGE_GROUPS = ((14, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, None))
BREAKDOWN_CACHE_SECONDS = 30
TIME_BUCKETS = 24


@dataclass(frozen=True)
class Point:
    at: datetime
    voters: int


async def voters_by_round(round_ids: list[int]) -> dict[int, int]:
    """Voters whose ballot counts now, per round (one counted ballot per voter and round)."""
    if not round_ids:
        return {}
    rows = await Ballot.select(Ballot.round, Count(Ballot.id, alias="voters")).where(
        Ballot.round.is_in(round_ids) & (Ballot.status == "counted")
    ).group_by(Ballot.round)
    return {row["round"]: row["voters"] for row in rows}


async def over_time(round_: RoundRecord, now: datetime) -> list[Point]:
    """Cumulative first ballots at evenly spaced moments from opening to closing (or now)."""
    opens = round_.voting_opens_at
    ends = min(round_.voting_closes_at, max(now, opens))
    firsts = sorted(
        as_utc(row["cast_at"])
        for row in await Ballot.select(Ballot.cast_at).where((Ballot.round == round_.id) & (Ballot.revision == 1))
    )
    step = max((ends - opens) / TIME_BUCKETS, timedelta(seconds=1))
    points, index = [], 0
    moment = opens
    while True:
        while index < len(firsts) and firsts[index] <= moment:
            index += 1
        points.append(Point(moment, index))
        if moment >= ends:
            return points
        moment = min(moment + step, ends)


def age_group(age: int) -> str:
    for low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return f"{low}–{high}" if high is not None else f"{low}+"
    return f"<{AGE_GROUPS[0][0]}"


async def breakdown(store: Store, secret_key: str, round_: RoundRecord) -> dict:
    """{"age": [[group, voters, eligible], ...], "region": [[kato, voters, eligible], ...]}."""
    cache_key = f"console:turnout:{round_.id}"
    cached = await store.get(cache_key)
    if cached is not None:
        return json.loads(cached)
    round_path = await region_path(round_.region)
    children = {row["path"]: row["kato"] for row in await Region.select(Region.kato, Region.path).where(
        Region.parent == round_.region)}
    paths = {row["kato"]: row["path"] for row in await Region.select(Region.kato, Region.path).where(
        Region.path.like(round_path + "%"))}
    voters = {row["voter"] for row in await Ballot.select(Ballot.voter).where(
        (Ballot.round == round_.id) & (Ballot.status == "counted"))}
    residents = await registered_in(list(paths))
    age_votes, age_all, area_votes, area_all = Counter(), Counter(), Counter(), Counter()
    for resident in residents:
        if not old_enough(resident.birth_date, round_.voting_opens_at, round_.min_age):
            continue
        age = age_when_voting_opens(resident.birth_date, round_.voting_opens_at)
        group = age_group(age)
        path = paths[resident.region]
        area = next((kato for child, kato in children.items() if contains(child, path)), round_.region)
        voted = pseudonym(secret_key, round_.id, voter_identity(resident)) in voters
        age_all[group] += 1
        area_all[area] += 1
        if voted:
            age_votes[group] += 1
            area_votes[area] += 1
    groups = [age_group(low) for low, _ in AGE_GROUPS if low >= 14]
    result = {
        "age": [[g, age_votes[g], age_all[g]] for g in groups if age_all[g] or g != groups[0]],
        "region": [[kato, area_votes[kato], area_all[kato]] for kato in [*children.values(), round_.region]
                   if area_all[kato] or kato != round_.region],
    }
    await store.set(cache_key, json.dumps(result).encode(), BREAKDOWN_CACHE_SECONDS)
    return result
