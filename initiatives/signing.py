"""Signing an initiative: one signature per person, counted in the transaction that stores it.

The signer is the person (core.residents.voter_identity, the IIN's keyed hash), so two phones of one person
sign once, and a second signature is the first one again (idempotent). The counter on the initiative's row
is raised by an UPDATE that also checks the collection is still open: on PostgreSQL its row lock makes
concurrent signatures queue, so the count is exact and exactly one of them moves the initiative to
`answer_due` when the threshold is reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.clock import as_utc, database_now
from core.residents import ResidentRecord, voter_identity
from infra.database import write_transaction
from infra.errors import Conflict
from infra.i18n import Term
from initiatives import rules
from initiatives.announcements import announce
from initiatives.petitions import get_row, lives_under
from initiatives.region_settings import resolved
from initiatives.tables import Initiative, Signature
from notify.follows import follow_within


@dataclass(frozen=True)
class Source:
    """Keyed hashes of the signer's address and device (the face computes them), for the surge scan."""

    origin: str | None = None
    device: str | None = None


def _not_collecting(row: dict) -> Conflict:
    return Conflict("Initiative {initiative} is not collecting signatures: it is {status}.", initiative=row["id"],
                    status=Term(row["status"]))


async def sign(initiative_id: int, signer: ResidentRecord, source: Source = Source()) -> int:
    """Sign (again: nothing changes); the initiative's count of signatures after it."""
    row = await get_row(initiative_id)
    await lives_under(signer, row["region"], Term("sign its initiatives"))
    now = await database_now()
    closes_at = as_utc(row["closes_at"]) if row["closes_at"] else None
    if rules.public_status(row["status"], closes_at, now) not in rules.SIGNING_STATUSES or now >= closes_at:
        raise _not_collecting(row)
    async with write_transaction():
        stored = await Signature.insert(Signature(
            initiative=initiative_id, signer=voter_identity(signer), resident=signer.id, region=signer.region,
            signed_at=now, origin=source.origin, device=source.device,
        )).on_conflict(action="DO NOTHING").returning(Signature.id)
        if not stored:
            return (await get_row(initiative_id))["signatures"]
        counted = await Initiative.update({Initiative.signatures: Initiative.signatures + 1}).where(
            (Initiative.id == initiative_id) & Initiative.status.is_in(list(rules.SIGNING_STATUSES))
            & (Initiative.closes_at > now)
        ).returning(Initiative.signatures, Initiative.status, Initiative.threshold)
        if not counted:
            raise _not_collecting(await get_row(initiative_id))  # closed meanwhile; the signature rolls back
        await follow_within(signer.id, "initiative", str(initiative_id))
        count = counted[0]["signatures"]
        if counted[0]["status"] == "collecting" and count >= counted[0]["threshold"]:
            days = (await resolved(row["region"])).set.answer_days
            await Initiative.update({Initiative.status: "answer_due",
                                     Initiative.answer_due_at: now + timedelta(days=days)}).where(
                (Initiative.id == initiative_id) & (Initiative.status == "collecting"))
            await announce("threshold_reached", row)
    return count


async def has_signed(initiative_id: int, resident: ResidentRecord) -> bool:
    return await Signature.exists().where((Signature.initiative == initiative_id)
                                          & (Signature.signer == voter_identity(resident)))
