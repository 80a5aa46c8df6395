"""Demo data: Kazakhstan's regions, an Almaty akimat with staff, a round open for voting and one open for ideas."""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources

from admin.staff import create_staff
from admin.tables import Staff
from budgets.ballots import VoteRules
from budgets.rounds import NOT_CLOSED, RoundDraft, add_project, create_round
from budgets.tables import Round
from core import audit
from core.clock import database_now
from core.regions import load_regions, reference_regions, region_path
from infra.database import write_transaction

ACTOR = "cli:demo"


def demo_content() -> dict:
    return json.loads(resources.files("server").joinpath("demo/demo.json").read_text(encoding="utf-8"))


async def _open_round_of(region: str) -> int | None:
    now = await database_now()
    row = await Round.select(Round.id).where(
        (Round.region == region) & (Round.voting_closes_at > now) & Round.status.is_in(list(NOT_CLOSED))
    ).first()
    return row["id"] if row else None


async def load_demo(voting_minutes: int) -> dict:
    """Idempotent: regions are upserted, staff created once, and a new round only when none is open."""
    content = demo_content()
    await load_regions(reference_regions())
    for account in content["staff"]:
        if not await Staff.exists().where(Staff.email == account["email"]):
            await create_staff(ACTOR, account["email"], account["password"], account["region"], account["role"])
    ideas_round = await _open_round_of(content["ideas_round"]["region"]) or await _ideas_round(
        content["ideas_round"])
    spec = content["round"]
    now = await database_now()
    open_round = await _open_round_of(spec["region"])
    if open_round:
        return {"round_id": open_round, "created": False, "ideas_round_id": ideas_round}
    draft = RoundDraft(
        region=spec["region"],
        title=spec["title"],
        description=spec.get("description", {}),
        budget=spec["budget"],
        rule=spec["rule"],
        min_age=spec["min_age"],
        vote=VoteRules(**spec["vote"]),
        # Projects can only be added before voting opens; the round opens right after they are in.
        voting_opens_at=now + timedelta(minutes=1),
        voting_closes_at=now + timedelta(minutes=voting_minutes),
        auto_publish=spec["auto_publish"],
    )
    round_ = await create_round(ACTOR, draft)
    for project in content["projects"]:
        await add_project(ACTOR, round_.id, project["title"], project["description"], project["cost"],
                          project.get("region"))
    async with write_transaction():
        opened = await database_now()
        await Round.update({Round.voting_opens_at: opened, Round.status: "voting"}).where(
            Round.id == round_.id
        )
        await audit.record(ACTOR, "round.open", f"round:{round_.id}", await region_path(spec["region"]),
                           {"voting_opens_at": draft.voting_opens_at.isoformat()},
                           {"voting_opens_at": opened.isoformat()})
    return {"round_id": round_.id, "created": True, "ideas_round_id": ideas_round}


async def _ideas_round(spec: dict) -> int:
    """A round of the city in its ideas phase from now on, with review and voting after it."""
    now = await database_now()
    ideas_closes = now + timedelta(days=spec["ideas_days"])
    voting_opens = ideas_closes + timedelta(days=spec["review_days"])
    draft = RoundDraft(
        region=spec["region"], title=spec["title"], description=spec["description"], budget=spec["budget"],
        rule=spec["rule"], min_age=spec["min_age"], vote=VoteRules(**spec["vote"]), voting_opens_at=voting_opens,
        voting_closes_at=voting_opens + timedelta(days=spec["voting_days"]), auto_publish=spec["auto_publish"],
        ideas_opens_at=now, ideas_closes_at=ideas_closes,
    )
    return (await create_round(ACTOR, draft)).id
