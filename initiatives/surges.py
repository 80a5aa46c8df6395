"""The signature surge scan: flags for staff when an initiative's signatures jump, or come from one source.

Like the ballot anomaly scan of rounds, it looks at the last complete window of every initiative still
collecting; flags are keyed by initiative, kind, source and window, so several processes write each once.
Flags change nothing by themselves: staff read them in the console and decide.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.clock import as_utc, database_now
from infra.database import write_transaction
from initiatives import rules
from initiatives.tables import Initiative, Signature, SurgeFlag

WINDOW = timedelta(minutes=rules.SURGE_WINDOW_MINUTES)
SIGNERS_BY_SOURCE = ("SELECT {source} AS source, count(*) AS signers FROM initiative_signature "
                     "WHERE initiative = {{}} AND signed_at >= {{}} AND signed_at < {{}} AND {source} IS NOT NULL "
                     "GROUP BY {source}")


def window_of(moment: datetime) -> datetime:
    seconds = int(as_utc(moment).timestamp())
    return datetime.fromtimestamp(seconds - seconds % int(WINDOW.total_seconds()), tz=UTC)


async def _count(initiative_id: int, start: datetime) -> int:
    return await Signature.count().where((Signature.initiative == initiative_id) & (Signature.signed_at >= start)
                                         & (Signature.signed_at < start + WINDOW))


async def _findings(initiative_id: int, start: datetime) -> list[tuple[str, str, dict[str, Any]]]:
    count = await _count(initiative_id, start)
    previous = [await _count(initiative_id, start - WINDOW * k) for k in range(1, rules.BASELINE_WINDOWS + 1)]
    found = [("surge", "initiative", {"signatures": count, "previous": previous})] \
        if rules.is_surge(count, previous) else []
    for source in ("device", "origin"):
        rows = await Signature.raw(SIGNERS_BY_SOURCE.format(source=source), initiative_id, start, start + WINDOW)
        by_source = {row["source"]: row["signers"] for row in rows}
        found += [(f"{source}_cluster", hashed, {"signers": by_source[hashed], "window_signatures": count})
                  for hashed in rules.crowded_sources(source, by_source, count)]
    return found


async def scan(now: datetime | None = None) -> int:
    """Flag the last complete window of each collecting initiative; how many flags were new."""
    now = now or await database_now()
    start = window_of(now) - WINDOW
    recorded = 0
    collecting = await Initiative.select(Initiative.id).where(
        Initiative.status.is_in(list(rules.SIGNING_STATUSES)))
    for row in collecting:
        for kind, subject, detail in await _findings(row["id"], start):
            async with write_transaction():
                stored = await SurgeFlag.insert(SurgeFlag(
                    initiative=row["id"], kind=kind, subject=subject, window_start=start, detail=detail,
                    detected_at=now)).on_conflict(action="DO NOTHING").returning(SurgeFlag.id)
            recorded += len(stored)
    return recorded


async def flags_of(initiative_id: int) -> list[dict[str, Any]]:
    rows = await SurgeFlag.select(SurgeFlag.kind, SurgeFlag.subject, SurgeFlag.window_start, SurgeFlag.detail,
                                  SurgeFlag.detected_at).where(SurgeFlag.initiative == initiative_id).order_by(
        SurgeFlag.window_start).output(load_json=True)
    return [{**row, "window_start": as_utc(row["window_start"]), "detected_at": as_utc(row["detected_at"])}
            for row in rows]
