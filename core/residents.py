"""A resident as the layers above see it (ResidentRecord, built here from rows and nowhere else), read in
batches on the ballot path, and the profile shown to them."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime

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


@dataclass(frozen=True, slots=True)
class ResidentRecord:
    id: int
    phone: str
    # The IIN's keyed hash, None until the account proves residency (and again after staff release it).
    iin_hash: str | None
    birth_date: date | None
    # The current residency; `region_since` is when it began (None for the first registration).
    region: str | None
    region_since: datetime | None
    language: str


COLUMNS = (Resident.id, Resident.phone, Resident.iin_hash, Resident.birth_date, Resident.region,
           Resident.region_since, Resident.language)


def _record(row) -> ResidentRecord:
    return ResidentRecord(row["id"], row["phone"], row["iin_hash"], row["birth_date"], row["region"],
                          row["region_since"], row["language"])


def voter_identity(resident: ResidentRecord) -> str:
    """The person behind an account, as every one-per-person rule keys it: the IIN's keyed hash, or the
    account itself until it proves residency (such an account can vote nowhere, see budgets.casting)."""
    return resident.iin_hash or f"unregistered:{resident.id}"


RESIDENTS_BY_ID = ("SELECT id, phone, iin_hash, birth_date, region, region_since, language FROM resident "
                   "WHERE id = ANY($1::int[])")


async def residents_by_id(ids: list[int]) -> list[ResidentRecord | NotAuthenticated]:
    if not ids:
        return []
    unique = list(set(ids))
    if is_postgres():
        found = await database.fetch(RESIDENTS_BY_ID, unique)
    else:
        found = await Resident.select(*COLUMNS).where(Resident.id.is_in(unique))
    records = {row["id"]: _record(row) for row in found}
    return [records.get(resident_id) or NotAuthenticated("This account no longer exists: sign in again.")
            for resident_id in ids]


# Every ballot reads its resident's row; at the peak, one query reads the rows of all who vote at once.
_residents: Batcher[int, ResidentRecord] = Batcher(residents_by_id, max_size=512)


async def get_resident(resident_id: int) -> ResidentRecord:
    return await _residents.submit(resident_id)


async def registered_in(katos: list[str]) -> list[ResidentRecord]:
    """Every resident with a proven residency in one of the regions `katos`."""
    rows = await Resident.select(*COLUMNS).where(Resident.iin_hash.is_not_null() & Resident.region.is_in(katos or [""]))
    return [_record(row) for row in rows]


def profile_of(resident: ResidentRecord, today: date) -> Profile:
    return Profile(
        id=resident.id,
        phone=mask_phone(resident.phone),
        region=resident.region,
        age=age_on(resident.birth_date, today) if resident.birth_date else None,
        language=resident.language,
    )
