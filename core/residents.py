"""A resident's row, read in batches on the ballot path, and the profile shown to them."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from core.iin import age_on
from core.tables import Resident
from infra import database
from infra.batching import Batcher
from infra.database import is_postgres
from infra.errors import NotAuthenticated
from infra.sms import mask_phone


@dataclass(frozen=True)
class Profile:
    id: int
    phone: str
    region: str | None
    age: int | None
    language: str


def iin_digest(secret_key: str, iin: str) -> str:
    """The only form in which an IIN is kept: it can be matched, not read back."""
    return hmac.new(secret_key.encode(), f"iin:{iin}".encode(), hashlib.sha256).hexdigest()


def voter_identity(resident: dict) -> str:
    """The person behind an account, as every one-per-person rule keys it: the IIN's keyed hash, or the
    account itself until it proves residency (such an account can vote nowhere, see budgets.casting)."""
    return resident["iin_hash"] or f"unregistered:{resident['id']}"


RESIDENTS_BY_ID = ("SELECT id, phone, iin_hash, birth_date, region, region_since, language FROM resident "
                   "WHERE id = ANY($1::int[])")


async def residents_by_id(ids: list[int]) -> list[dict | NotAuthenticated]:
    if not ids:
        return []
    unique = list(set(ids))
    if is_postgres():
        found = [dict(row) for row in await database.fetch(RESIDENTS_BY_ID, unique)]
    else:
        found = await Resident.select(Resident.id, Resident.phone, Resident.iin_hash, Resident.birth_date,
                                      Resident.region, Resident.region_since, Resident.language).where(
            Resident.id.is_in(unique))
    rows = {row["id"]: row for row in found}
    return [rows.get(resident_id) or NotAuthenticated("This account no longer exists: sign in again.")
            for resident_id in ids]


# Every ballot reads its resident's row; at the peak, one query reads the rows of all who vote at once.
_residents: Batcher[int, dict] = Batcher(residents_by_id, max_size=512)


async def get_resident(resident_id: int) -> dict:
    return await _residents.submit(resident_id)


def profile_of(row: dict, today: date) -> Profile:
    return Profile(
        id=row["id"],
        phone=mask_phone(row["phone"]),
        region=row["region"],
        age=age_on(row["birth_date"], today) if row["birth_date"] else None,
        language=row["language"],
    )
