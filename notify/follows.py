"""Following a project, round, initiative or region: its events reach the follower on every channel."""

from __future__ import annotations

from core.clock import database_now
from infra.database import write_transaction
from infra.errors import NotFound
from notify.outbox import FOLLOW_KINDS
from notify.tables import Follow


def check_kind(kind: str) -> str:
    if kind not in FOLLOW_KINDS:
        raise NotFound("Nothing of kind {kind!r} can be followed; the kinds are {kinds}.", kind=kind,
                       kinds=", ".join(FOLLOW_KINDS))
    return kind


async def follow(resident_id: int, kind: str, target: str) -> None:
    """Follow (again: nothing changes). Whether the target exists is the caller's to check."""
    async with write_transaction():
        await follow_within(resident_id, kind, target)


async def follow_within(resident_id: int, kind: str, target: str) -> None:
    """Follow inside the caller's transaction: a domain's change that makes a resident follow its subject (a
    signature, say) commits with the follow, so nobody signs without hearing of the answer."""
    await Follow.insert(Follow(resident=resident_id, kind=check_kind(kind), target=target,
                               created_at=await database_now())).on_conflict(action="DO NOTHING")


async def unfollow(resident_id: int, kind: str, target: str) -> None:
    await Follow.delete().where((Follow.resident == resident_id) & (Follow.kind == check_kind(kind))
                                & (Follow.target == target))


async def is_following(resident_id: int, kind: str, target: str) -> bool:
    return await Follow.exists().where((Follow.resident == resident_id) & (Follow.kind == check_kind(kind))
                                       & (Follow.target == target))


async def follows_of(resident_id: int) -> list[dict]:
    return await Follow.select(Follow.kind, Follow.target).where(Follow.resident == resident_id).order_by(Follow.id)
