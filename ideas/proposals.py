"""Residents' side of ideas: proposing in a round's ideas phase, supporting, reading lists, "my ideas".

Who may propose and support is who may vote in the round (budgets.casting.check_eligible), and the person is
the round's voter pseudonym (the IIN's keyed hash, as ballots are keyed), so a second phone gives no second
support and no more ideas.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from budgets import casting
from budgets.records import RoundRecord
from budgets.rounds import effective_status, get_round
from core.clock import database_now
from core.regions import contains, region_name, region_path
from core.residents import ResidentRecord
from ideas.rules import (
    IDEAS_PER_RESIDENT,
    PHOTOS_PER_IDEA,
    Proposal,
    decode_cursor,
    encode_cursor,
)
from ideas.tables import Idea, IdeaPhoto, IdeaSupport
from infra.database import is_unique_violation, locking, write_transaction
from infra.errors import Conflict, FieldError, NotAllowed, NotFound, RuleBroken, TooManyRequests
from infra.i18n import Term
from infra.images import clean_photo
from infra.storage import FileStorage
from notify.follows import follow_within

PAGE = 20
SORTS = ("supports", "new")
# Supports count while the idea can still become a project.
SUPPORTABLE = ("submitted", "accepted")


@dataclass(frozen=True)
class Participant:
    """A resident taking part in one round's ideas: their account and, for one-per-person rules, the person."""

    resident: ResidentRecord
    person: str


async def participant(secret_key: str, resident: ResidentRecord, round_: RoundRecord) -> Participant:
    """The resident, if they may vote in the round (its region and age rule); NotAllowed otherwise."""
    voter = casting.voter_of(secret_key, resident, round_.id)
    await casting.check_eligible(round_, voter)
    return Participant(resident, voter.pseudonym)


def _refuse_unless_ideas(round_: RoundRecord, now: datetime, what: Term) -> None:
    status = effective_status(round_, now)
    if status != "ideas":
        if round_.ideas_opens_at is None:
            raise Conflict("Round {round} has no ideas phase: {what} is not possible in it.", round=round_.id,
                           what=what)
        raise Conflict("Round {round} is {status}: {what} is possible only in its ideas phase, from {opens} to "
                       "{closes}.", round=round_.id, status=Term(status), what=what, opens=round_.ideas_opens_at,
                       closes=round_.ideas_closes_at)


async def _idea_region(round_: RoundRecord, region: str | None, resident: ResidentRecord) -> tuple[str, str]:
    """The idea's region and its path: the one named, else the author's, else the round's; inside the round's."""
    round_path = await region_path(round_.region)
    if region is None:
        region = resident.region if resident.region else round_.region
        if not contains(round_path, await region_path(region)):
            region = round_.region
    path = await region_path(region)
    if not contains(round_path, path):
        raise RuleBroken("Region {region} is outside the round's region {round_region}.",
                         [FieldError("region", "must be the round's region or a region inside it")],
                         region=await region_name(region), round_region=await region_name(round_.region))
    return region, path


async def propose(secret_key: str, resident: ResidentRecord, round_id: int, proposal: Proposal,
                  region: str | None) -> dict[str, Any]:
    round_ = await get_round(round_id)
    _refuse_unless_ideas(round_, await database_now(), Term("proposing an idea"))
    who = await participant(secret_key, resident, round_)
    region, path = await _idea_region(round_, region, resident)
    # Slots 1..5 are unique per person and round: of two ideas racing for the last slot, one gets it.
    for _ in range(IDEAS_PER_RESIDENT + 1):
        taken = await Idea.count().where((Idea.round == round_id) & (Idea.author_identity == who.person))
        if taken >= IDEAS_PER_RESIDENT:
            retry = round_.ideas_closes_at - await database_now()
            raise TooManyRequests("You have proposed {most} ideas in this round, the most one person may; support "
                                  "others' ideas instead.", int(retry.total_seconds()), most=IDEAS_PER_RESIDENT)
        try:
            async with write_transaction():
                idea = Idea(round=round_id, author=resident.id, author_identity=who.person, slot=taken + 1,
                            title=proposal.title, text=proposal.text, language=proposal.language,
                            category=proposal.category, region=region, region_path=path, lat=proposal.lat,
                            lon=proposal.lon, estimated_cost=proposal.estimated_cost, created_at=await database_now())
                await idea.save()
                # The author hears of the review (notify: the idea's followers).
                await follow_within(resident.id, "idea", str(idea.id))
            return await get_idea(idea.id, staff=True)
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
    raise Conflict("Several ideas were sent at once from your account: send this one again.")


async def get_idea(idea_id: int, staff: bool = False) -> dict[str, Any]:
    """One idea; a hidden one is not found except by staff."""
    row = await Idea.select().where(Idea.id == idea_id).output(load_json=True).first()
    if row is None or (row["status"] == "hidden" and not staff):
        raise NotFound("There is no idea {idea}.", idea=idea_id)
    return row


async def list_ideas(round_id: int, sort: str, category: str | None, region: str | None, cursor: str | None,
                     status: str | None = None, staff: bool = False, limit: int = PAGE
                     ) -> tuple[list[dict[str, Any]], str | None]:
    """A page of a round's ideas, by supports (most first) or newest, and the cursor of the next page."""
    await get_round(round_id)
    if sort not in SORTS:
        raise RuleBroken("Sort by supports or new.", [FieldError("sort", "must be supports or new")])
    where = Idea.round == round_id
    if not staff:
        where &= Idea.status != "hidden"
    if status:
        where &= Idea.status == status
    if category:
        where &= Idea.category == category
    if region:
        where &= Idea.region_path.like(await region_path(region) + "%")
    if cursor:
        supports, after = decode_cursor(sort, cursor)
        if sort == "supports":
            where &= (Idea.supports < supports) | ((Idea.supports == supports) & (Idea.id < after))
        else:
            where &= Idea.id < after
    order = [Idea.supports, Idea.id] if sort == "supports" else [Idea.id]
    rows = await Idea.select().where(where).order_by(*order, ascending=False).limit(limit + 1).output(
        load_json=True)
    page, more = rows[:limit], len(rows) > limit
    last = page[-1] if page else None
    return page, encode_cursor(sort, last["supports"], last["id"]) if more and last else None


async def my_ideas(resident_id: int) -> list[dict[str, Any]]:
    return await Idea.select().where(Idea.author == resident_id).order_by(Idea.id, ascending=False).output(
        load_json=True)


async def _supportable(secret_key: str, resident: ResidentRecord, idea_id: int, what: Term
                       ) -> tuple[dict[str, Any], Participant]:
    idea = await get_idea(idea_id)
    round_ = await get_round(idea["round"])
    _refuse_unless_ideas(round_, await database_now(), what)
    if idea["status"] not in SUPPORTABLE:
        raise Conflict("Idea {idea} is {status}: it takes no more supports.", idea=idea_id, status=Term(idea["status"]))
    return idea, await participant(secret_key, resident, round_)


async def support(secret_key: str, resident: ResidentRecord, idea_id: int) -> int:
    """Support an idea once (again changes nothing); the number of its supports."""
    idea, who = await _supportable(secret_key, resident, idea_id, Term("supporting an idea"))
    async with write_transaction():
        added = await IdeaSupport.insert(
            IdeaSupport(idea=idea_id, supporter=who.person, created_at=await database_now())
        ).on_conflict(action="DO NOTHING").returning(IdeaSupport.id)
        if added:
            # An increment under the row's lock: 24 supports at once count 24 (a recount could miss some).
            await Idea.update({Idea.supports: Idea.supports + 1}).where(Idea.id == idea_id)
    return await supports_of(idea["id"])


async def withdraw(secret_key: str, resident: ResidentRecord, idea_id: int) -> int:
    idea, who = await _supportable(secret_key, resident, idea_id, Term("withdrawing a support"))
    async with write_transaction():
        removed = await IdeaSupport.delete().where(
            (IdeaSupport.idea == idea_id) & (IdeaSupport.supporter == who.person)).returning(IdeaSupport.id)
        if removed:
            await Idea.update({Idea.supports: Idea.supports - 1}).where(Idea.id == idea_id)
    return await supports_of(idea["id"])


async def supports_of(idea_id: int) -> int:
    row = await Idea.select(Idea.supports).where(Idea.id == idea_id).first()
    return row["supports"]


async def supported_by(secret_key: str, resident: ResidentRecord, round_id: int) -> set[int]:
    """The ideas of a round that this resident's person supports (for the site's buttons)."""
    person = casting.voter_of(secret_key, resident, round_id).pseudonym
    rows = await IdeaSupport.select(IdeaSupport.idea).where(
        (IdeaSupport.supporter == person) & (IdeaSupport.idea.round == round_id))
    return {row["idea"] for row in rows}


async def add_photo(storage: FileStorage, resident: ResidentRecord, idea_id: int, content: bytes) -> dict[str, Any]:
    idea = await get_idea(idea_id)
    if idea["author"] != resident.id:
        raise NotAllowed("Only the idea's author adds its photos.")
    if idea["status"] != "submitted":
        raise Conflict("Idea {idea} is {status}: its photos can no longer change.", idea=idea_id,
                       status=Term(idea["status"]))
    photo = clean_photo(content, "file")
    async with write_transaction():
        # Under the idea's lock, so that photos sent at once are counted one after another.
        await locking(Idea.select(Idea.id).where(Idea.id == idea_id)).first()
        if await IdeaPhoto.count().where(IdeaPhoto.idea == idea_id) >= PHOTOS_PER_IDEA:
            raise RuleBroken("An idea has at most {most} photos.",
                             [FieldError("file", f"at most {PHOTOS_PER_IDEA} photos per idea")], most=PHOTOS_PER_IDEA)
        key = f"ideas/{idea_id}/{secrets.token_hex(8)}{photo.suffix}"
        await storage.put(key, photo.content)
        row = IdeaPhoto(idea=idea_id, key=key, content_type=photo.content_type, size=len(photo.content),
                        uploaded_at=await database_now())
        await row.save()
    return {"id": row.id, "idea_id": idea_id, "content_type": photo.content_type, "size": len(photo.content)}


async def photos_of(idea_ids: list[int]) -> dict[int, list[int]]:
    """Photo ids per idea, in the order they were added."""
    if not idea_ids:
        return {}
    rows = await IdeaPhoto.select(IdeaPhoto.id, IdeaPhoto.idea).where(IdeaPhoto.idea.is_in(idea_ids)).order_by(
        IdeaPhoto.id)
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row["idea"], []).append(row["id"])
    return found


async def photo(storage: FileStorage, idea_id: int, photo_id: int, staff: bool = False) -> tuple[bytes, str]:
    await get_idea(idea_id, staff=staff)
    row = await IdeaPhoto.select().where((IdeaPhoto.id == photo_id) & (IdeaPhoto.idea == idea_id)).first()
    content = await storage.get(row["key"]) if row else None
    if row is None or content is None:
        raise NotFound("Idea {idea} has no photo {photo}.", idea=idea_id, photo=photo_id)
    return content, row["content_type"]

