"""An initiative past its ballot threshold put on a round's ballot: the one place where the initiatives and the
budgeting domains meet (they do not import each other), so the project and the initiative's record of it commit
in one transaction."""

from __future__ import annotations

from budgets.records import RoundRecord
from budgets.rounds import BEFORE_VOTING, create_project, effective_status, get_round, list_rounds
from core.clock import database_now
from core.regions import contains, region_path
from infra.database import write_transaction
from infra.errors import Conflict, FieldError, RuleBroken
from initiatives import petitions


async def ballot_rounds(initiative: dict) -> list[RoundRecord]:
    """Rounds whose ballot can still take the initiative: of its region or above it, before voting opens."""
    now = await database_now()
    path = await region_path(initiative["region"])
    found = await list_rounds(None, initiative["region"])
    return [round_ for round_ in found if effective_status(round_, now) in BEFORE_VOTING
            and contains(await region_path(round_.region), path)]


async def put_on_ballot(actor: str, initiative_id: int, round_id: int, cost: int,
                        title: dict[str, str] | None = None) -> int:
    initiative = await petitions.get_row(initiative_id)
    round_ = await get_round(round_id)
    if not contains(await region_path(round_.region), await region_path(initiative["region"])):
        raise RuleBroken(f"Round {round_id} is not for the residents of region {initiative['region']}.",
                         [FieldError("round_id", "must be a round of the initiative's region or one above it")])
    if effective_status(round_, await database_now()) not in BEFORE_VOTING:
        raise Conflict(f"Round {round_id} has opened voting: its ballot is final.")
    async with write_transaction():
        project_id = await create_project(actor, round_id, title or {initiative["language"]: initiative["title"]},
                                          {initiative["language"]: initiative["text"]}, cost, initiative["region"],
                                          initiative_id=initiative_id)
        await petitions.put_on_ballot(actor, initiative_id, project_id)
    return project_id
