"""The append-only audit log: every change to a round, project, staff account, ballot status or result.

Each entry's hash covers its predecessor's hash and its own canonical JSON, so removing or editing any
entry breaks every hash after it; `dauys audit verify` recomputes the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.tables import AuditEntry
from infra.database import is_postgres

GENESIS = "0" * 64
SCHEDULER = "scheduler"


def canonical(entry: dict[str, Any]) -> str:
    body = {key: entry[key] for key in ("id", "at", "actor", "action", "target", "before", "after")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode()).hexdigest()


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def record(
    actor: str,
    action: str,
    target: str,
    region_path: str,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Append an entry; call inside the transaction that makes the change, so both land or neither."""
    if is_postgres():
        # Appends are serialised so that each one sees its true predecessor.
        await AuditEntry.raw("SELECT pg_advisory_xact_lock(7212001)")
    last = await AuditEntry.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id, ascending=False).first()
    prev_hash = last["hash"] if last else GENESIS
    entry = {
        "id": (last["id"] if last else 0) + 1,
        "at": _timestamp(datetime.now(UTC)),
        "actor": actor,
        "action": action,
        "target": target,
        "before": before,
        "after": after,
    }
    await AuditEntry.insert(
        AuditEntry(
            id=entry["id"],
            at=datetime.fromisoformat(entry["at"]),
            actor=actor,
            action=action,
            target=target,
            region_path=region_path,
            before=before,
            after=after,
            prev_hash=prev_hash,
            hash=chain_hash(prev_hash, entry),
        )
    )


def as_document(row: dict) -> dict[str, Any]:
    return {
        "id": row["id"],
        "at": _timestamp(row["at"]),
        "actor": row["actor"],
        "action": row["action"],
        "target": row["target"],
        "before": _loaded(row["before"]),
        "after": _loaded(row["after"]),
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def page(region_path: str, after_id: int, limit: int) -> list[dict[str, Any]]:
    rows = (
        await AuditEntry.select()
        .where((AuditEntry.id > after_id) & AuditEntry.region_path.like(region_path + "%"))
        .order_by(AuditEntry.id)
        .limit(limit)
    )
    return [as_document(row) for row in rows]


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_id: int | None = None
    reason: str = ""


async def _all_entries(batch: int = 1000) -> AsyncIterator[dict]:
    last_id = 0
    while True:
        rows = await AuditEntry.select().where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        if not rows:
            return
        for row in rows:
            yield row
        last_id = rows[-1]["id"]


async def verify_chain() -> ChainReport:
    prev_hash = GENESIS
    count = 0
    async for row in _all_entries():
        document = as_document(row)
        if row["prev_hash"] != prev_hash:
            return ChainReport(count, row["id"], "its prev_hash is not the hash of the entry before it")
        if chain_hash(prev_hash, document) != row["hash"]:
            return ChainReport(count, row["id"], "its content does not match its hash")
        prev_hash = row["hash"]
        count += 1
    return ChainReport(count)


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None


async def search(region_path: str, where: AuditFilter, before_id: int | None, limit: int,
                 after_id: int | None = None) -> list[dict[str, Any]]:
    """Entries of a region's subtree, newest first, matching every filter given; `before_id` pages back to
    older entries, `after_id` forward to the `limit` entries just newer than it."""
    query = AuditEntry.region_path.like(region_path + "%")
    if where.action:
        query &= AuditEntry.action.like(where.action.replace("%", "") + "%")
    if where.actor:
        query &= AuditEntry.actor == where.actor
    if where.target:
        query &= AuditEntry.target == where.target
    if where.since:
        query &= AuditEntry.at >= where.since
    if where.until:
        query &= AuditEntry.at < where.until
    if before_id:
        query &= AuditEntry.id < before_id
    if after_id:
        # The entries nearest the cursor are the oldest of the newer ones: read upwards, show newest first.
        query &= AuditEntry.id > after_id
        rows = await AuditEntry.select().where(query).order_by(AuditEntry.id).limit(limit)
        return [as_document(row) for row in reversed(rows)]
    rows = await AuditEntry.select().where(query).order_by(AuditEntry.id, ascending=False).limit(limit)
    return [as_document(row) for row in rows]
