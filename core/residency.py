"""Proving residency with an IIN, moving, and staff releasing an IIN: one person is one voter.

A person is their IIN, not their phone (principle 2): every ballot's per-round pseudonym is keyed on the
IIN's hash, so an account's IIN never changes once given (a second IIN would be a second voter), and one
IIN belongs to one account. Only staff release an IIN from an account, with a published reason
(budgets.identities sets that account's ballots in rounds not yet counted aside in the same transaction),
and the real owner can then register.

A move to another region is recorded from its moment, at most once in `move_interval_days`, and
eligibility for a round is the residency that held when its voting opened (`region_at`), so a move
during a round never yields a ballot in another round open at that time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import audit
from core.iin import InvalidIIN, parse_iin
from core.regions import region_path
from core.residents import ResidentRecord, get_resident, iin_digest
from core.tables import Region, Residency, Resident
from infra.database import is_unique_violation, locking, write_transaction
from infra.errors import Conflict, FieldError, NotAuthenticated, NotFound, RuleBroken, TooManyRequests
from infra.i18n import R_, Term
from infra.settings import Settings

IDENTITY_FIXED = R_(
    "This account is already registered with another IIN, and an account's IIN cannot be changed: "
    "one person votes once. If the IIN was entered by mistake, ask the akimat of your district to release "
    "it (staff do this with a published reason); then register again."
)
IIN_TAKEN = R_(
    "This IIN is already registered to another phone. If it is yours, sign in with that phone; if that phone "
    "is not yours, ask the akimat of your district to release the IIN, then register again."
)


@dataclass(frozen=True)
class Origin:
    """Keyed hashes of where a registration came from, for the anomaly scan (never the address itself)."""

    address: str | None = None
    device: str | None = None


def _valid_iin(iin_text: str):
    try:
        return parse_iin(iin_text)
    except InvalidIIN as exc:
        raise RuleBroken("The IIN is not valid: {reason}.", [FieldError("iin", str(exc))],
                         reason=Term(str(exc))) from exc


async def _known_region(region: str) -> None:
    if not await Region.exists().where(Region.kato == region):
        raise RuleBroken(
            "There is no region with KATO code {kato}; GET /api/v1/regions lists them.",
            [FieldError("region", "unknown KATO code")], kato=region,
        )


async def prove_residency(settings: Settings, resident_id: int, iin_text: str, region: str,
                          origin: Origin = Origin()) -> ResidentRecord:
    """Register the account's IIN and region once; the same IIN with another region is a move."""
    iin = _valid_iin(iin_text)
    await _known_region(region)
    digest = iin_digest(settings.secret_key, iin.value)
    try:
        async with write_transaction():
            query = Resident.select(Resident.iin_hash, Resident.region).where(Resident.id == resident_id)
            # One account's concurrent requests take turns (SQLite's write transaction already serialises).
            row = await locking(query).first()
            if row is None:
                raise NotAuthenticated("This account no longer exists: sign in again.")
            if row["iin_hash"] is None:
                await _register(resident_id, digest, iin.birth_date, region, origin)
            elif row["iin_hash"] != digest:
                raise Conflict(IDENTITY_FIXED, [FieldError("iin", "the account's IIN cannot be changed")])
            elif row["region"] != region:
                await _move(settings, resident_id, row["region"], region, origin)
    except Exception as exc:
        # Two accounts registering one IIN at the same moment: the unique index lets one through.
        if is_unique_violation(exc):
            raise Conflict(IIN_TAKEN, [FieldError("iin", "registered to another phone")]) from exc
        raise
    return await get_resident(resident_id)


async def _register(resident_id: int, digest: str, birth_date, region: str, origin: Origin) -> None:
    if await Resident.exists().where(Resident.iin_hash == digest):
        raise Conflict(IIN_TAKEN, [FieldError("iin", "registered to another phone")])
    await Resident.update({Resident.iin_hash: digest, Resident.birth_date: birth_date, Resident.region: region,
                           Resident.region_since: None}).where(Resident.id == resident_id)
    await Residency.insert(Residency(resident=resident_id, region=region, valid_from=None,
                                     recorded_at=datetime.now(UTC), origin=origin.address, device=origin.device))


async def _move(settings: Settings, resident_id: int, old_region: str, region: str, origin: Origin) -> None:
    now = datetime.now(UTC)
    last_move = await Residency.select(Residency.valid_from).where(
        (Residency.resident == resident_id) & Residency.valid_from.is_not_null() & Residency.released_at.is_null()
    ).order_by(Residency.valid_from, ascending=False).first()
    if last_move:
        next_move = last_move["valid_from"] + timedelta(days=settings.move_interval_days)
        if next_move > now:
            raise TooManyRequests(
                "Residency can move once in {days} days; the next move is possible from {next_move}.",
                retry_after=int((next_move - now).total_seconds()) + 1, days=settings.move_interval_days,
                next_move=next_move,
            )
    await Resident.update({Resident.region: region, Resident.region_since: now}).where(Resident.id == resident_id)
    await Residency.insert(Residency(resident=resident_id, region=region, valid_from=now, recorded_at=now,
                                     origin=origin.address, device=origin.device))
    actor = f"resident:{resident_id}"
    await audit.record(actor, "resident.move", actor, await region_path(region),
                       {"region": old_region}, {"region": region, "from": now.isoformat()})


async def region_at(resident_id: int, moment: datetime) -> str | None:
    """The region where the resident was registered at `moment`, None if nowhere yet."""
    row = await Residency.select(Residency.region).where(
        (Residency.resident == resident_id) & Residency.released_at.is_null()
        & (Residency.valid_from.is_null() | (Residency.valid_from <= moment))
    ).order_by(Residency.id, ascending=False).first()
    return row["region"] if row else None


async def holder_of(settings: Settings, iin_text: str) -> dict:
    """The account holding an IIN: its `id`, `region` and the IIN's keyed `digest`."""
    iin = _valid_iin(iin_text)
    digest = iin_digest(settings.secret_key, iin.value)
    holder = await Resident.select(Resident.id, Resident.region).where(Resident.iin_hash == digest).first()
    if holder is None:
        raise NotFound("No account holds this IIN: there is nothing to release.")
    return {**holder, "digest": digest}


async def free_identity(holder: dict, now: datetime) -> None:
    """Take the IIN off its account, and end the history that belonged to that identity claim.

    Call inside the transaction that also sets the identity's ballots aside (budgets.identities).
    """
    released = await Resident.update({Resident.iin_hash: None, Resident.birth_date: None, Resident.region: None,
                                      Resident.region_since: None}).where(
        (Resident.id == holder["id"]) & (Resident.iin_hash == holder["digest"])).returning(Resident.id)
    if not released:
        raise Conflict("The IIN was released or registered again meanwhile: look it up again.")
    await Residency.update({Residency.released_at: now}).where(
        (Residency.resident == holder["id"]) & Residency.released_at.is_null())


# Several identities first registered from one app installation, or very many from one address, in one
# window: one person collecting other people's IINs. Carriers put many residents behind one address,
# so the address threshold is far higher than the device's.
DEVICE_IDENTITIES = 3
ADDRESS_IDENTITIES = 50

REGISTRATIONS_BY_SOURCE = """
SELECT {source} AS source, count(DISTINCT resident) AS identities FROM residency
WHERE recorded_at >= {{}} AND recorded_at < {{}} AND valid_from IS NULL AND {source} IS NOT NULL
GROUP BY {source} HAVING count(DISTINCT resident) >= {{}}
"""


@dataclass(frozen=True)
class RegistrationCluster:
    kind: str  # identity_device_cluster or identity_address_cluster
    source: str  # the keyed hash of the device or address
    identities: int
    regions: list[str]


async def registration_clusters(start: datetime, end: datetime) -> list[RegistrationCluster]:
    """First registrations from one device or address in [start, end) that reach the thresholds above."""
    found = []
    for source, kind, least in (("device", "identity_device_cluster", DEVICE_IDENTITIES),
                                ("origin", "identity_address_cluster", ADDRESS_IDENTITIES)):
        for cluster in await Residency.raw(REGISTRATIONS_BY_SOURCE.format(source=source), start, end, least):
            column = getattr(Residency, source)
            rows = await Residency.select(Residency.region).where(
                (column == cluster["source"]) & (Residency.recorded_at >= start) & (Residency.recorded_at < end)
                & Residency.valid_from.is_null())
            found.append(RegistrationCluster(kind, cluster["source"], cluster["identities"],
                                             sorted({row["region"] for row in rows})))
    return found
