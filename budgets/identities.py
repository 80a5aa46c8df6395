"""What the budgeting domain does about identities: releasing one sets its ballots aside, and clusters of
registrations are findings on the integrity pages of the rounds concerned.

The residents' side (who holds an IIN, the residency history) is core.residency; this module joins it to
ballots and rounds, in one transaction, so that a released identity never keeps a counted ballot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from budgets import integrity
from core import audit
from core.clock import database_now
from core.residency import free_identity, holder_of, registration_clusters
from infra.database import write_transaction
from infra.errors import FieldError, RuleBroken
from infra.settings import Settings


def _published(reason: dict[str, str]) -> str:
    return " / ".join(reason[language] for language in ("kk", "ru", "en") if reason.get(language))


async def release_identity(settings: Settings, actor: str, iin_text: str, reason: dict[str, str],
                           scope: Callable[[str], Awaitable[str]]) -> dict:
    """Free an IIN from the account that holds it; its ballots in rounds not yet counted are set aside.

    `scope(region)` checks that the staff member may act in the holder's region (NotAllowed otherwise)
    and returns the region's path.
    """
    text = _published(reason).strip()
    if len(text) < integrity.MIN_REASON:
        raise RuleBroken("Give the reason in at least {least} characters: it is published with the ballots set "
                         "aside.", [FieldError("reason", "too short")], least=integrity.MIN_REASON)
    holder = await holder_of(settings, iin_text)
    path = await scope(holder["region"])
    now = datetime.now(UTC)
    async with write_transaction():
        await free_identity(holder, now)
        set_aside = await integrity.set_aside_person(settings.secret_key, holder["digest"],
                                                     f"Identity released by staff: {text}")
        target = f"resident:{holder['id']}"
        await audit.record(actor, "identity.release", target, path, {"region": holder["region"]},
                           {"reason": reason, "ballots_set_aside": {str(k): v for k, v in set_aside.items()}})
        await integrity.record_over(holder["region"], integrity.Finding(
            "identity_release", target[:32], now, now, {"reason": text, "ballots_set_aside": sum(set_aside.values()),
                                                        "rounds": sorted(set_aside)}))
    return {"resident_id": holder["id"], "region": holder["region"], "ballots_set_aside": sum(set_aside.values()),
            "rounds": sorted(set_aside)}


async def detect_registration_clusters() -> int:
    """Flag, in every round taking votes over the regions concerned, the last complete window's clusters of
    registrations from one device or address; returns how many findings were new."""
    start = integrity.window_of(await database_now()) - integrity.WINDOW
    end = start + integrity.WINDOW
    recorded = 0
    for cluster in await registration_clusters(start, end):
        finding = integrity.Finding(cluster.kind, cluster.source, start, end,
                                    {"identities": cluster.identities, "regions": cluster.regions})
        for region in cluster.regions:
            recorded += await integrity.record_over(region, finding)
    return recorded
