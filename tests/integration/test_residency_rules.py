"""core.residency's rules, written to fail when one is broken: what a registration stores, that an IIN is fixed
to its account and one account holds an IIN, the move interval, which residency held at a moment, releasing
an IIN, and the registration clusters' thresholds and window. Services are called directly on the run's
database; accounts are made as sign-in makes them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from core import residency
from core.clock import KAZAKHSTAN
from core.residency import Origin, free_identity, holder_of, prove_residency, region_at, registration_clusters
from core.residents import iin_digest
from core.tables import AuditEntry, Residency, Resident
from infra.errors import Conflict, NotAuthenticated, NotFound, RuleBroken, TooManyRequests
from infra.settings import get_settings
from tests.helpers import make_iin, new_phone

ALMALY, AUEZOV, MEDEU = "751110000", "751310000", "751710000"
BORN = date(1971, 3, 9)


@pytest.fixture
def settings(database):
    return get_settings()


async def account() -> int:
    rows = await Resident.insert(Resident(phone=new_phone(), created_at=datetime.now(UTC))).returning(Resident.id)
    return rows[0]["id"]


async def history(resident_id: int) -> list[dict]:
    return await Residency.select().where(Residency.resident == resident_id).order_by(Residency.id)


async def registered(settings, region: str = ALMALY, origin: Origin | None = None) -> tuple[int, str]:
    resident_id, iin = await account(), make_iin(BORN)
    await prove_residency(settings, resident_id, iin, region, origin or Origin())
    return resident_id, iin


async def moved_at(resident_id: int, moment: datetime) -> None:
    """Date the resident's moves back, as if they had been made at `moment`."""
    await Residency.update({Residency.valid_from: moment}).where(
        (Residency.resident == resident_id) & Residency.valid_from.is_not_null())


async def test_a_registration_keeps_the_iins_keyed_hash_birth_date_region_and_origin(settings):
    resident_id, iin = await account(), make_iin(BORN, male=False)
    record = await prove_residency(settings, resident_id, iin, ALMALY, Origin(address="addr-hash", device="dev-hash"))
    assert record.id == resident_id and record.region == ALMALY
    row = await Resident.select().where(Resident.id == resident_id).first()
    assert row["iin_hash"] == iin_digest(settings.secret_key, iin) and iin not in str(row)
    assert (row["birth_date"], row["region"], row["region_since"]) == (BORN, ALMALY, None)
    [entry] = await history(resident_id)
    assert (entry["region"], entry["valid_from"], entry["origin"], entry["device"], entry["released_at"]) == (
        ALMALY, None, "addr-hash", "dev-hash", None)
    assert abs(entry["recorded_at"] - datetime.now(UTC)) < timedelta(minutes=1)


async def test_the_same_iin_and_region_again_changes_nothing(settings):
    resident_id, iin = await registered(settings)
    await prove_residency(settings, resident_id, iin, ALMALY)
    assert len(await history(resident_id)) == 1


CHECK_DIGIT = "the IIN's check digit does not match: check for a typing mistake"


@pytest.mark.parametrize("iin, why", [("123", "an IIN is exactly 12 digits"), ("061211600013", CHECK_DIGIT)])
async def test_an_invalid_iin_is_refused_on_its_field_with_the_reason(settings, iin, why):
    with pytest.raises(RuleBroken) as refused:
        await prove_residency(settings, await account(), iin, ALMALY)
    assert refused.value.detail == f"The IIN is not valid: {why}."
    assert [(e.field, e.message) for e in refused.value.errors] == [("iin", why)]


async def test_an_unknown_region_is_refused_on_its_field(settings):
    resident_id = await account()
    with pytest.raises(RuleBroken) as refused:
        await prove_residency(settings, resident_id, make_iin(BORN), "751999999")
    assert refused.value.detail == "There is no region with KATO code 751999999; GET /api/v1/regions lists them."
    assert [(e.field, e.message) for e in refused.value.errors] == [("region", "unknown KATO code")]
    assert await history(resident_id) == []


async def test_an_account_that_is_gone_must_sign_in_again(settings):
    with pytest.raises(NotAuthenticated) as refused:
        await prove_residency(settings, 10**9, make_iin(BORN), ALMALY)
    assert refused.value.detail == "This account no longer exists: sign in again."


async def test_an_accounts_iin_is_fixed_and_an_iin_has_one_account(settings):
    resident_id, iin = await registered(settings)
    with pytest.raises(Conflict) as fixed:
        await prove_residency(settings, resident_id, make_iin(BORN), ALMALY)
    assert fixed.value.detail == residency.IDENTITY_FIXED
    assert [(e.field, e.message) for e in fixed.value.errors] == [("iin", "the account's IIN cannot be changed")]
    other = await account()
    with pytest.raises(Conflict) as taken:
        await prove_residency(settings, other, iin, ALMALY)
    assert taken.value.detail == residency.IIN_TAKEN
    assert [(e.field, e.message) for e in taken.value.errors] == [("iin", "registered to another phone")]
    assert (await Resident.select(Resident.iin_hash).where(Resident.id == other).first())["iin_hash"] is None


async def test_accounts_registering_one_iin_at_once_get_one_registration_and_conflicts(settings):
    # On PostgreSQL both may pass the check for a holder; the unique index then refuses all but one, and
    # the refusal is the same Conflict (on SQLite the write transactions take turns and the check refuses).
    iin, accounts = make_iin(BORN), [await account() for _ in range(6)]
    answers = await asyncio.gather(*[prove_residency(settings, a, iin, ALMALY) for a in accounts],
                                   return_exceptions=True)
    refused = [answer for answer in answers if isinstance(answer, Exception)]
    assert len(refused) == 5 and all(isinstance(answer, Conflict) for answer in refused), answers
    assert {(answer.detail, answer.errors[0].field, answer.errors[0].message) for answer in refused} == {
        (residency.IIN_TAKEN, "iin", "registered to another phone")}


async def test_a_move_is_recorded_from_its_moment_and_audited(settings):
    resident_id, iin = await registered(settings)
    before = datetime.now(UTC)
    await prove_residency(settings, resident_id, iin, AUEZOV, Origin(address="addr-move", device="dev-move"))
    row = await Resident.select().where(Resident.id == resident_id).first()
    assert row["region"] == AUEZOV and before <= row["region_since"] <= datetime.now(UTC)
    first, move = await history(resident_id)
    assert (first["region"], move["region"], move["valid_from"], move["recorded_at"]) == (
        ALMALY, AUEZOV, row["region_since"], row["region_since"])
    assert (move["origin"], move["device"], move["released_at"]) == ("addr-move", "dev-move", None)
    actor = f"resident:{resident_id}"
    [entry] = await AuditEntry.select().where((AuditEntry.actor == actor) & (AuditEntry.action == "resident.move")
                                              ).output(load_json=True)
    assert entry["target"] == actor and entry["region_path"] == "750000000/751310000/"
    assert entry["before"] == {"region": ALMALY}
    assert entry["after"] == {"region": AUEZOV, "from": row["region_since"].isoformat()}


async def test_a_second_move_waits_the_interval_and_says_when(settings):
    resident_id, iin = await registered(settings)
    await prove_residency(settings, resident_id, iin, AUEZOV)
    interval = timedelta(days=settings.move_interval_days)
    last = datetime.now(UTC) - interval + timedelta(hours=1)
    await moved_at(resident_id, last)
    asked = datetime.now(UTC)
    with pytest.raises(TooManyRequests) as refused:
        await prove_residency(settings, resident_id, iin, MEDEU)
    answered = datetime.now(UTC)
    # Whole seconds until the next move, rounded up, as seen at some moment between asking and the answer.
    next_move = last + interval
    seconds = [int((next_move - moment).total_seconds()) + 1 for moment in (answered, asked)]
    assert seconds[0] <= refused.value.retry_after <= seconds[1]
    next_move = next_move.astimezone(KAZAKHSTAN)
    assert str(refused.value) == (
        f"Residency can move once in {settings.move_interval_days} days; the next move is possible from "
        f"{next_move:%Y-%m-%d %H:%M} (Kazakhstan time, UTC+5).")
    await moved_at(resident_id, datetime.now(UTC) - interval - timedelta(seconds=5))
    await prove_residency(settings, resident_id, iin, MEDEU)
    assert (await Resident.select(Resident.region).where(Resident.id == resident_id).first())["region"] == MEDEU


async def test_the_interval_counts_from_the_latest_move(settings):
    resident_id, iin = await registered(settings)
    await prove_residency(settings, resident_id, iin, AUEZOV)
    await moved_at(resident_id, datetime.now(UTC) - timedelta(days=settings.move_interval_days * 3))
    # The latest move is recent even though an older one is long past.
    await Residency.insert(Residency(resident=resident_id, region=AUEZOV, valid_from=datetime.now(UTC),
                                     recorded_at=datetime.now(UTC)))
    with pytest.raises(TooManyRequests):
        await prove_residency(settings, resident_id, iin, MEDEU)


async def test_other_residents_moves_do_not_hold_a_move_back(settings):
    neighbour, neighbours_iin = await registered(settings)
    await prove_residency(settings, neighbour, neighbours_iin, AUEZOV)  # a move of a minute ago
    resident_id, iin = await registered(settings)
    await prove_residency(settings, resident_id, iin, MEDEU)
    assert (await Resident.select(Resident.region).where(Resident.id == resident_id).first())["region"] == MEDEU


async def test_residency_at_a_moment_is_the_one_that_held_then(settings):
    await registered(settings, MEDEU)  # a bystander's residency never answers for another account
    resident_id = await account()
    assert await region_at(resident_id, datetime.now(UTC)) is None
    iin = make_iin(BORN)
    await prove_residency(settings, resident_id, iin, ALMALY)
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    assert await region_at(resident_id, long_ago) == ALMALY  # the first registration stands for all before
    await prove_residency(settings, resident_id, iin, AUEZOV)
    moved = (await Resident.select(Resident.region_since).where(Resident.id == resident_id).first())["region_since"]
    assert await region_at(resident_id, moved - timedelta(microseconds=1)) == ALMALY
    assert await region_at(resident_id, moved) == AUEZOV
    assert await region_at(resident_id, moved + timedelta(days=1)) == AUEZOV


async def test_an_iins_holder_is_found_by_its_keyed_hash(settings):
    resident_id, iin = await registered(settings, MEDEU)
    holder = await holder_of(settings, iin)
    assert holder == {"id": resident_id, "region": MEDEU, "digest": iin_digest(settings.secret_key, iin)}
    with pytest.raises(NotFound) as nobody:
        await holder_of(settings, make_iin(BORN))
    assert nobody.value.detail == "No account holds this IIN: there is nothing to release."
    with pytest.raises(RuleBroken):
        await holder_of(settings, "12345")


async def test_releasing_an_iin_empties_the_account_and_ends_its_history_only(settings):
    resident_id, iin = await registered(settings)
    await prove_residency(settings, resident_id, iin, AUEZOV)
    bystander, _ = await registered(settings)
    holder = await holder_of(settings, iin)
    released = datetime.now(UTC)
    await free_identity(holder, released)
    row = await Resident.select().where(Resident.id == resident_id).first()
    assert (row["iin_hash"], row["birth_date"], row["region"], row["region_since"]) == (None, None, None, None)
    assert [entry["released_at"] for entry in await history(resident_id)] == [released, released]
    assert [entry["released_at"] for entry in await history(bystander)] == [None]
    assert await region_at(resident_id, datetime.now(UTC)) is None
    with pytest.raises(Conflict) as again:
        await free_identity(holder, released)
    assert again.value.detail == "The IIN was released or registered again meanwhile: look it up again."
    # The real owner registers, and a released history does not count against their first move.
    owner = await account()
    await prove_residency(settings, owner, iin, ALMALY)
    await prove_residency(settings, owner, iin, MEDEU)
    # Nor does it count for the account it was taken from, which may register and move at once.
    second_iin = make_iin(BORN)
    await prove_residency(settings, resident_id, second_iin, ALMALY)
    await prove_residency(settings, resident_id, second_iin, MEDEU)


async def test_a_release_leaves_a_holder_registered_again_meanwhile(settings):
    resident_id, iin = await registered(settings)
    holder = await holder_of(settings, iin)
    await free_identity(holder, datetime.now(UTC))
    await prove_residency(settings, resident_id, make_iin(BORN), ALMALY)  # registered again, another IIN
    with pytest.raises(Conflict):
        await free_identity(holder, datetime.now(UTC))
    assert (await Resident.select(Resident.region).where(Resident.id == resident_id).first())["region"] == ALMALY


def source() -> str:
    return uuid.uuid4().hex[:16]


async def register_from(settings, count: int, origin: Origin, regions: list[str]) -> None:
    for n in range(count):
        await registered(settings, regions[n % len(regions)], origin)


async def clusters_of(kind: str, source_hash: str, start: datetime, end: datetime):
    return [c for c in await registration_clusters(start, end) if c.kind == kind and c.source == source_hash]


async def test_three_identities_from_one_device_are_a_cluster_two_are_not(settings):
    start = datetime.now(UTC) - timedelta(seconds=1)
    pair, trio = source(), source()
    await register_from(settings, 2, Origin(device=pair), [ALMALY])
    await register_from(settings, residency.DEVICE_IDENTITIES, Origin(device=trio), [MEDEU, ALMALY])
    end = datetime.now(UTC) + timedelta(seconds=1)
    # One more from the device, recorded at the window's end: outside it, in the count and in the regions.
    late, _ = await registered(settings, AUEZOV, Origin(device=trio))
    await Residency.update({Residency.recorded_at: end}).where(Residency.resident == late)
    assert await clusters_of("identity_device_cluster", pair, start, end) == []
    [cluster] = await clusters_of("identity_device_cluster", trio, start, end)
    assert (cluster.identities, cluster.regions) == (3, [ALMALY, MEDEU])
    # The window is [start, end): registrations at its end or before its start are outside.
    assert await clusters_of("identity_device_cluster", trio, end, end + timedelta(hours=1)) == []
    assert await clusters_of("identity_device_cluster", trio, start - timedelta(hours=1), start) == []
    assert residency.DEVICE_IDENTITIES == 3


async def test_a_clusters_window_and_moves(settings):
    device = source()
    start = datetime.now(UTC) - timedelta(seconds=1)
    resident_id, iin = await registered(settings, ALMALY, Origin(device=device))
    for _ in range(2):
        await prove_residency(settings, resident_id, iin, AUEZOV if _ == 0 else ALMALY, Origin(device=device))
        await moved_at(resident_id, datetime.now(UTC) - timedelta(days=settings.move_interval_days + 1))
    # Moves from the device are not first registrations: one identity, no cluster.
    end = datetime.now(UTC) + timedelta(seconds=1)
    assert await clusters_of("identity_device_cluster", device, start, end) == []
    await register_from(settings, 2, Origin(device=device), [MEDEU])
    end = datetime.now(UTC) + timedelta(seconds=1)
    [cluster] = await clusters_of("identity_device_cluster", device, start, end)
    assert (cluster.identities, cluster.regions) == (3, [ALMALY, MEDEU])
    recorded = (await history(resident_id))[0]["recorded_at"]
    assert await clusters_of("identity_device_cluster", device, recorded, end) == [cluster]
    assert await clusters_of("identity_device_cluster", device, recorded + timedelta(microseconds=1), end) == []


async def test_fifty_identities_from_one_address_are_a_cluster(settings):
    start = datetime.now(UTC) - timedelta(seconds=1)
    crowd, fewer = source(), source()
    await register_from(settings, residency.ADDRESS_IDENTITIES, Origin(address=crowd), [AUEZOV])
    await register_from(settings, residency.ADDRESS_IDENTITIES - 1, Origin(address=fewer), [AUEZOV])
    end = datetime.now(UTC) + timedelta(seconds=1)
    [cluster] = await clusters_of("identity_address_cluster", crowd, start, end)
    assert (cluster.identities, cluster.regions) == (50, [AUEZOV])
    assert await clusters_of("identity_address_cluster", fewer, start, end) == []
    assert await clusters_of("identity_device_cluster", crowd, start, end) == []
    assert residency.ADDRESS_IDENTITIES == 50
