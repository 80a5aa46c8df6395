"""The sign-in code's rules (mobile_api.auth), written to fail when one is broken: the fifth wrong code locks
the phone at once, the lock forgets the code, a sign-in forgets the wrong tries, ten codes an hour, and
refresh tokens that expire or belong to a sign-in that ended.

The service is called directly, with the run's own store (Redis under the run's prefix on PostgreSQL runs,
memory otherwise) and SMS written to a file, so the per-address limits of the HTTP routes play no part.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from core.tables import RefreshToken
from infra import tokens
from infra.errors import NotAuthenticated, TooManyRequests
from infra.settings import get_settings
from infra.sms import make_sender
from infra.stores import make_store
from mobile_api.auth import LOCK_SECONDS, MAX_WRONG_CODES, SENDS_PER_PHONE_HOUR, ResidentAuth
from tests.helpers import last_code, new_phone


@pytest.fixture
async def auth(database, tmp_path):
    settings = get_settings()
    store = make_store(settings.redis_url, f"{settings.redis_prefix}otp-rules-{uuid.uuid4().hex[:8]}:")
    service = ResidentAuth(settings, store, make_sender(f"file:{tmp_path / 'sms.jsonl'}"))
    service.outbox = tmp_path / "sms.jsonl"
    yield service
    await store.close()


async def code_for(auth: ResidentAuth, phone: str, language: str = "ru") -> str:
    assert await auth.send_code(phone, language) == auth.settings.otp_ttl
    return last_code(auth.outbox, phone)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def guess_wrong(auth: ResidentAuth, phone: str, code: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(NotAuthenticated) as refused:
            await auth.exchange_code(phone, wrong(code))
        assert refused.value.detail == "The code is wrong or has expired: check the SMS or ask for a new code."


def resident_of(auth: ResidentAuth, pair) -> int:
    return tokens.verify(auth.settings.secret_key, tokens.RESIDENT, f"Bearer {pair.access_token}").id


def assert_locked(refusal: pytest.ExceptionInfo[TooManyRequests]) -> None:
    remaining = refusal.value.retry_after
    assert LOCK_SECONDS - 2 <= remaining <= LOCK_SECONDS
    assert f"Too many wrong codes for this phone: try again in {remaining // 60 + 1} minute(s)." in str(refusal.value)


def test_five_wrong_codes_lock_for_fifteen_minutes():
    assert (MAX_WRONG_CODES, LOCK_SECONDS) == (5, 15 * 60)


async def test_the_fifth_wrong_code_locks_the_phone_at_once(auth):
    phone = new_phone()
    code = await code_for(auth, phone)
    await guess_wrong(auth, phone, code, MAX_WRONG_CODES)
    # No sixth try is needed: new codes and the right code are refused from the fifth wrong one on.
    with pytest.raises(TooManyRequests) as refused_send:
        await auth.send_code(phone, "ru")
    assert_locked(refused_send)
    with pytest.raises(TooManyRequests) as refused_code:
        await auth.exchange_code(phone, code)
    assert_locked(refused_code)


async def test_a_lock_forgets_the_code_it_protected(auth):
    phone = new_phone()
    code = await code_for(auth, phone)
    await guess_wrong(auth, phone, code, MAX_WRONG_CODES)
    await auth.store.delete(f"otp:lock:{phone}")  # the lock's fifteen minutes are over
    with pytest.raises(NotAuthenticated):
        await auth.exchange_code(phone, code)
    # And the count starts again: five more tries before the next lock (the old code was the first), not one.
    code = await code_for(auth, phone)
    await guess_wrong(auth, phone, code, MAX_WRONG_CODES - 2)
    assert resident_of(auth, await auth.exchange_code(phone, code))


async def test_four_wrong_codes_leave_the_right_one_and_a_sign_in_forgets_them(auth):
    phone = new_phone()
    for _ in range(2):  # without forgetting, the second round's tries would be the 6th to 9th
        code = await code_for(auth, phone)
        await guess_wrong(auth, phone, code, MAX_WRONG_CODES - 1)
        pair = await auth.exchange_code(phone, code)
        assert resident_of(auth, pair)
        assert pair.expires_in == auth.settings.access_token_ttl


async def test_one_phone_is_one_resident_at_every_sign_in(auth):
    phone = new_phone()
    first = await auth.exchange_code(phone, await code_for(auth, phone))
    second = await auth.exchange_code(phone, await code_for(auth, phone))
    other = new_phone()
    third = await auth.exchange_code(other, await code_for(auth, other))
    subjects = [resident_of(auth, pair) for pair in (first, second, third)]
    assert subjects[0] == subjects[1] != subjects[2]


async def test_a_code_works_for_its_own_phone_only(auth):
    phone, other = new_phone(), new_phone()
    code = await code_for(auth, phone)
    await code_for(auth, other)
    with pytest.raises(NotAuthenticated):
        await auth.exchange_code(other, code)


async def test_ten_codes_an_hour_go_to_one_phone(auth):
    phone = new_phone()
    for _ in range(SENDS_PER_PHONE_HOUR):
        await auth.send_code(phone, "ru")
    with pytest.raises(TooManyRequests, match=f"At most {SENDS_PER_PHONE_HOUR} codes an hour") as refused:
        await auth.send_code(phone, "ru")
    assert 3590 <= refused.value.retry_after <= 3600
    assert SENDS_PER_PHONE_HOUR == 10


@pytest.mark.parametrize("language, words", [("kk", "кіру коды"), ("ru", "код входа"), ("en", "sign-in code"),
                                             ("de", "код входа")])
async def test_the_code_comes_in_the_residents_language_russian_by_default(auth, language, words):
    phone = new_phone()
    await code_for(auth, phone, language)
    text = auth.outbox.read_text(encoding="utf-8").splitlines()[-1]
    assert words in text and last_code(auth.outbox, phone) in text


async def test_codes_are_six_digits_drawn_from_the_whole_range(auth):
    phones = [new_phone() for _ in range(12)]
    for phone in phones:
        await auth.send_code(phone, "en")
    texts = [json.loads(line)["text"] for line in auth.outbox.read_text(encoding="utf-8").splitlines()]
    codes = [number for text in texts for number in re.findall(r"\d+", text)]
    assert len(codes) == len(phones) and all(len(code) == 6 for code in codes), codes
    # Twelve draws below 100000 of a million would happen once in 10^12 runs; a narrowed draw always does.
    assert max(int(code) for code in codes) >= 100_000, codes


async def test_only_a_keyed_hash_of_the_code_is_stored(auth):
    phone = new_phone()
    code = await code_for(auth, phone)
    stored = await auth.store.get(f"otp:code:{phone}")
    assert stored and code.encode() not in stored and len(stored) == 64
    assert 290 <= await auth.store.ttl(f"otp:code:{phone}") <= auth.settings.otp_ttl


async def test_a_refresh_token_lives_its_ttl_and_no_longer(auth):
    phone = new_phone()
    pair = await auth.exchange_code(phone, await code_for(auth, phone))
    row = await RefreshToken.select(RefreshToken.expires_at).order_by(RefreshToken.id, ascending=False).first()
    expires = row["expires_at"] if row["expires_at"].tzinfo else row["expires_at"].replace(tzinfo=UTC)
    lifetime = expires - datetime.now(UTC)
    assert timedelta(seconds=auth.settings.refresh_token_ttl - 60) < lifetime <= timedelta(
        seconds=auth.settings.refresh_token_ttl)
    await RefreshToken.update({RefreshToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        RefreshToken.family == (await RefreshToken.select(RefreshToken.family).order_by(
            RefreshToken.id, ascending=False).first())["family"])
    with pytest.raises(NotAuthenticated, match="already used or has expired"):
        await auth.refresh(pair.refresh_token)


async def test_a_replayed_refresh_token_ends_its_whole_sign_in_only(auth):
    phone = new_phone()
    kept = await auth.exchange_code(phone, await code_for(auth, phone))
    stolen = await auth.exchange_code(phone, await code_for(auth, phone))
    rotated = await auth.refresh(stolen.refresh_token)
    assert resident_of(auth, rotated) == resident_of(auth, stolen)
    with pytest.raises(NotAuthenticated) as replay:
        await auth.refresh(stolen.refresh_token)
    assert replay.value.detail == "This refresh token was already used or has expired: sign in again."
    # The replay ended the family: the token the rotation handed out no longer works either.
    with pytest.raises(NotAuthenticated):
        await auth.refresh(rotated.refresh_token)
    assert resident_of(auth, await auth.refresh(kept.refresh_token)) == resident_of(auth, kept)
    with pytest.raises(NotAuthenticated):
        await auth.refresh("never-issued")


async def test_signing_out_ends_only_that_sign_in(auth):
    phone = new_phone()
    kept = await auth.exchange_code(phone, await code_for(auth, phone))
    ended = await auth.exchange_code(phone, await code_for(auth, phone))
    rotated = await auth.refresh(ended.refresh_token)
    await auth.end_sign_in(rotated.refresh_token)
    with pytest.raises(NotAuthenticated):
        await auth.refresh(rotated.refresh_token)
    assert (await auth.refresh(kept.refresh_token)).access_token
    await auth.end_sign_in("never-issued")  # an unknown token ends nothing and raises nothing
