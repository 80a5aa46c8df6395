"""The in-app feed: a resident's notifications, newest first, rendered in their language when read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import database_now
from infra.errors import NotFound
from notify import templates
from notify.preferences import get_preferences
from notify.tables import FeedItem

PAGE = 20


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    title: str
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class Page:
    items: list[Item]
    # The id to pass as `cursor` for older items; None on the last page.
    next_cursor: int | None


async def page_of(resident_id: int, public_url: str, cursor: int | None = None, size: int = PAGE,
                  language: str | None = None) -> Page:
    """A page of the feed in `language`, by default the resident's notifications' language (the API's; the
    site passes the language it is read in, so its pages read in one language)."""
    language = language or (await get_preferences(resident_id)).language
    where = FeedItem.resident == resident_id
    if cursor is not None:
        where &= FeedItem.id < cursor
    rows = await FeedItem.select(
        FeedItem.id, FeedItem.created_at, FeedItem.read_at, FeedItem.event.kind, FeedItem.event.payload
    ).where(where).order_by(FeedItem.id, ascending=False).limit(size + 1).output(load_json=True)
    items = []
    for row in rows[:size]:
        message = templates.render(row["event.kind"], language, row["event.payload"], public_url)
        items.append(Item(row["id"], row["event.kind"], message.title, message.text, message.url,
                          row["created_at"], row["read_at"]))
    return Page(items, items[-1].id if len(rows) > size else None)


async def mark_read(resident_id: int, item_id: int) -> None:
    """Mark one item read (again: nothing changes); NotFound for another resident's item or none."""
    now = await database_now()
    if not await FeedItem.exists().where((FeedItem.id == item_id) & (FeedItem.resident == resident_id)):
        raise NotFound("You have no notification {item}.", item=item_id)
    await FeedItem.update({FeedItem.read_at: now}).where(
        (FeedItem.id == item_id) & FeedItem.read_at.is_null())


async def mark_all_read(resident_id: int) -> None:
    await FeedItem.update({FeedItem.read_at: await database_now()}).where(
        (FeedItem.resident == resident_id) & FeedItem.read_at.is_null())


async def unread_count(resident_id: int) -> int:
    """How many of the resident's notifications are unread: the number beside the site's link to the feed."""
    return await FeedItem.count().where((FeedItem.resident == resident_id) & FeedItem.read_at.is_null())
