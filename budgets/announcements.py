"""What a round's life tells residents, through the notifications outbox (notify.outbox.emit).

Each function runs inside the transaction of the change it announces, so an announcement commits with it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from budgets.tables import Project, Round
from core.regions import region_path
from infra.database import write_transaction
from notify.outbox import Audience, emit

# A round is "closing tomorrow" within this long of its deadline; shorter rounds get no reminder.
REMINDER_AHEAD = timedelta(hours=24)


async def _announce(kind: str, round_id: int, whole_region: bool, once_key: str | None = None) -> None:
    row = await Round.select(Round.region, Round.title).where(Round.id == round_id).output(load_json=True).first()
    projects = await Project.select(Project.id).where(Project.round == round_id)
    # Following a region means hearing of the rounds of the regions inside it too.
    regions = (await region_path(row["region"])).strip("/").split("/")
    follows = (("round", str(round_id)), *(("region", kato) for kato in regions),
               *(("project", str(p["id"])) for p in projects))
    await emit(kind, ("round", round_id), Audience(follows, row["region"] if whole_region else None),
               {"round_id": round_id, "title": row["title"]}, region=row["region"], once_key=once_key)


async def ideas_opened(round_id: int) -> None:
    """Every resident of the round's region (in the feed) and its followers: propose a project."""
    await _announce("round.ideas_opened", round_id, whole_region=True)


async def voting_opened(round_id: int) -> None:
    """Every resident of the round's region (in the feed) and its followers (by SMS too)."""
    await _announce("round.voting_opened", round_id, whole_region=True)


async def results_published(round_id: int) -> None:
    await _announce("round.results_published", round_id, whole_region=False)


async def remind_closing(now: datetime) -> int:
    """Tell the followers of rounds that close within a day; once per round, whichever process runs it."""
    async with write_transaction():
        due = await Round.select(Round.id).where(
            (Round.status == "voting") & (Round.voting_closes_at > now)
            & (Round.voting_closes_at <= now + REMINDER_AHEAD)
            & (Round.voting_opens_at < now - REMINDER_AHEAD)
        )
        for row in due:
            await _announce("round.closes_tomorrow", row["id"], whole_region=False,
                            once_key=f"round.closes_tomorrow:{row['id']}")
    return len(due)
