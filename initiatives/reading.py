"""What residents and the public may read of initiatives: who sees which, pages of them, counts per region.

Initiatives waiting for moderation and rejected ones are their author's and staff's only: the public neither
lists nor opens them (404, as for anything the caller may not see).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from core.clock import database_now
from core.regions import contains, region_path, region_paths
from core.tables import Region
from infra.errors import NotFound
from initiatives import rules
from initiatives.petitions import get_row
from initiatives.schemas import InitiativeOut, initiative_out
from initiatives.tables import Initiative, Signature

PAGE = 20


@dataclass(frozen=True)
class Viewer:
    """Who reads: a resident (their id) and/or staff (the path prefix they manage; "" for everywhere)."""

    resident: int | None = None
    staff_path: str | None = None


async def may_see(row: dict, viewer: Viewer) -> bool:
    if row["status"] in rules.PUBLIC_STATUSES or row["author"] == viewer.resident:
        return True
    return viewer.staff_path is not None and contains(viewer.staff_path, await region_path(row["region"]))


async def visible(initiative_id: int, viewer: Viewer) -> dict:
    row = await get_row(initiative_id)
    if not await may_see(row, viewer):
        raise NotFound("There is no initiative {initiative}.", initiative=initiative_id)
    return row


def _status_filter(status: str, now: datetime):
    """A status as the public sees it: a collection past its end is expired already (rules.public_status)."""
    if status == "expired":
        return (Initiative.status == "expired") | ((Initiative.status == "collecting") & (Initiative.closes_at <= now))
    if status == "collecting":
        return (Initiative.status == "collecting") & (Initiative.closes_at > now)
    return Initiative.status == status


async def near(kato: str) -> list[str]:
    """The region, those above it and those inside it: whose akimats a resident of it may address."""
    path = await region_path(kato)
    inside = await Region.select(Region.kato).where(Region.path.like(path + "%"))
    return sorted({*path.strip("/").split("/"), *(row["kato"] for row in inside)})


async def page_of(now: datetime, status: str | None = None, region: str | None = None, after: int | None = None,
                  statuses: tuple[str, ...] = rules.PUBLIC_STATUSES, author: int | None = None,
                  within: str | None = None, limit: int = PAGE) -> list[dict]:
    """Newest first, `limit` at most, older than id `after`: public ones by default; `within` is a staff
    member's region path (all the initiatives addressed inside it), `author` a resident's own."""
    where = Initiative.status.is_in(list(statuses))
    if status:
        where &= _status_filter(status, now)
    if region:
        where &= Initiative.region.is_in(await near(region))
    if author is not None:
        where &= Initiative.author == author
    if within is not None:
        katos = await Region.select(Region.kato).where(Region.path.like(within + "%"))
        where &= Initiative.region.is_in([row["kato"] for row in katos] or [""])
    if after:
        where &= Initiative.id < after
    return await Initiative.select().where(where).order_by(Initiative.id, ascending=False).limit(limit).output(
        load_json=True)


async def by_region(rows: list[dict]) -> dict[int, dict[str, int | None]]:
    """Per initiative, its signatures per region one level below its addressee, small cells hidden."""
    if not rows:
        return {}
    children: dict[str, list[str]] = defaultdict(list)
    for child in await Region.select(Region.kato, Region.parent).where(
            Region.parent.is_in(list({row["region"] for row in rows}))).order_by(Region.kato):
        children[child["parent"]].append(child["kato"])
    counted = await Signature.raw(
        "SELECT initiative, region, count(*) AS signatures FROM initiative_signature "
        f"WHERE initiative IN ({', '.join('{}' for _ in rows)}) GROUP BY initiative, region",
        *(row["id"] for row in rows))
    paths = await region_paths({item["region"] for item in counted})
    cells = {row["id"]: dict.fromkeys(children[row["region"]], 0) for row in rows}
    addressee = {row["id"]: row["region"] for row in rows}
    for item in counted:
        # The signer's region, or the region inside it, that lies one level below the addressee.
        katos = paths[item["region"]].strip("/").split("/")
        top = addressee[item["initiative"]]
        if top in katos and katos.index(top) + 1 < len(katos):
            child = katos[katos.index(top) + 1]
            cells[item["initiative"]][child] = cells[item["initiative"]].get(child, 0) + item["signatures"]
    return {row["id"]: rules.suppress_small_cells(cells[row["id"]], row["signatures"]) for row in rows}


async def shaped(rows: list[dict], language: str, now: datetime) -> list[InitiativeOut]:
    """Rows as published, with their counts per region."""
    cells = await by_region(rows)
    return [initiative_out(row, cells[row["id"]], language, now) for row in rows]


async def shaped_one(row: dict, language: str) -> InitiativeOut:
    return (await shaped([row], language, await database_now()))[0]


def next_cursor(rows: list[dict], limit: int = PAGE) -> str | None:
    return str(rows[-1]["id"]) if len(rows) == limit else None
