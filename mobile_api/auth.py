"""Resident sign-in: a 6-digit code by SMS, then an access token and a single-use refresh token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.phones import check_phone
from core.tables import RefreshToken, Resident
from infra import metrics, tokens
from infra.database import write_transaction
from infra.errors import NotAuthenticated, TooManyRequests
from infra.settings import Settings
from infra.sms import SmsSender
from infra.stores import Store

MAX_WRONG_CODES = 5
LOCK_SECONDS = 15 * 60
SENDS_PER_PHONE_HOUR = 10

SMS_TEXT = {
    "kk": "Dauys: кіру коды {code}. Оны ешкімге айтпаңыз.",
    "ru": "Dauys: код входа {code}. Никому его не сообщайте.",
    "en": "Dauys: your sign-in code is {code}. Do not share it.",
}


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _digest(*parts: str, key: str) -> str:
    return hmac.new(key.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


class ResidentAuth:
    def __init__(self, settings: Settings, store: Store, sms: SmsSender):
        self.settings = settings
        self.store = store
        self.sms = sms

    async def _refuse_if_locked(self, phone: str) -> None:
        remaining = await self.store.ttl(f"otp:lock:{phone}")
        if remaining:
            raise self._locked(remaining)

    @staticmethod
    def _locked(remaining: int) -> TooManyRequests:
        return TooManyRequests(
            "Too many wrong codes for this phone: try again in {minutes} minute(s).",
            retry_after=remaining, minutes=remaining // 60 + 1,
        )

    async def send_code(self, phone: str, language: str) -> int:
        phone = check_phone(phone)
        await self._refuse_if_locked(phone)
        sends_key = f"otp:sends:{phone}"
        if await self.store.incr(sends_key, 3600) > SENDS_PER_PHONE_HOUR:
            raise TooManyRequests(
                "At most {most} codes an hour go to one phone: use the last code you received.",
                retry_after=await self.store.ttl(sends_key), most=SENDS_PER_PHONE_HOUR,
            )
        code = f"{secrets.randbelow(10**6):06d}"
        # Only a keyed hash of the code is stored: a copy of Redis gives no one a way in.
        await self.store.set(f"otp:code:{phone}", _digest(phone, code, key=self.settings.secret_key).encode(),
                             self.settings.otp_ttl)
        await self.sms.send(phone, SMS_TEXT.get(language, SMS_TEXT["ru"]).format(code=code))
        metrics.OTP_SENT.inc()
        return self.settings.otp_ttl

    async def exchange_code(self, phone: str, code: str) -> TokenPair:
        phone = check_phone(phone)
        # The attempt is counted before the code is compared, atomically: a burst of guesses sent at once
        # gets at most MAX_WRONG_CODES comparisons, and while the lock holds even the right code is refused.
        tries, locked = await self.store.attempt(f"otp:wrong:{phone}", f"otp:lock:{phone}", MAX_WRONG_CODES,
                                                 LOCK_SECONDS)
        if locked:
            raise self._locked(locked)
        expected = _digest(phone, code, key=self.settings.secret_key).encode()
        # Taking the code deletes it in the same step, so two requests with the right code get one sign-in.
        if not await self.store.take(f"otp:code:{phone}", expected):
            if tries >= MAX_WRONG_CODES:
                await self.store.set(f"otp:lock:{phone}", b"1", LOCK_SECONDS)
                await self.store.delete(f"otp:code:{phone}", f"otp:wrong:{phone}")
                metrics.OTP_LOCKS.inc()
            raise NotAuthenticated("The code is wrong or has expired: check the SMS or ask for a new code.")
        await self.store.delete(f"otp:wrong:{phone}")
        resident_id = await self._resident_for(phone)
        return await self._issue(resident_id, family=secrets.token_hex(8))

    async def refresh(self, refresh_token: str) -> TokenPair:
        token_hash = hashlib.sha256(refresh_token.encode()).hexdigest()
        now = datetime.now(UTC)
        async with write_transaction():
            used = (
                await RefreshToken.update({RefreshToken.used_at: now})
                .where(
                    (RefreshToken.token_hash == token_hash)
                    & RefreshToken.used_at.is_null()
                    & (RefreshToken.expires_at > now)
                )
                .returning(RefreshToken.resident, RefreshToken.family)
            )
            if not used:
                # A refresh token presented twice was stolen or replayed: end that whole sign-in.
                replayed = await RefreshToken.select(RefreshToken.family).where(
                    RefreshToken.token_hash == token_hash
                ).first()
                if replayed:
                    await RefreshToken.update({RefreshToken.used_at: now}).where(
                        (RefreshToken.family == replayed["family"]) & RefreshToken.used_at.is_null()
                    )
        if not used:
            raise NotAuthenticated("This refresh token was already used or has expired: sign in again.")
        return await self._issue(used[0]["resident"], family=used[0]["family"])

    async def end_sign_in(self, refresh_token: str) -> None:
        """Signing out: the refresh token's whole sign-in (its family) can no longer be renewed."""
        token_hash = hashlib.sha256(refresh_token.encode()).hexdigest()
        row = await RefreshToken.select(RefreshToken.family).where(RefreshToken.token_hash == token_hash).first()
        if row:
            async with write_transaction():
                await RefreshToken.update({RefreshToken.used_at: datetime.now(UTC)}).where(
                    (RefreshToken.family == row["family"]) & RefreshToken.used_at.is_null()
                )

    async def _resident_for(self, phone: str) -> int:
        await Resident.insert(Resident(phone=phone, created_at=datetime.now(UTC))).on_conflict(
            target=Resident.phone, action="DO NOTHING"
        )
        row = await Resident.select(Resident.id).where(Resident.phone == phone).first()
        return row["id"]

    async def _issue(self, resident_id: int, family: str) -> TokenPair:
        refresh_token = secrets.token_urlsafe(32)
        await RefreshToken.insert(
            RefreshToken(
                resident=resident_id,
                token_hash=hashlib.sha256(refresh_token.encode()).hexdigest(),
                family=family,
                expires_at=datetime.now(UTC) + timedelta(seconds=self.settings.refresh_token_ttl),
            )
        )
        access = tokens.issue(self.settings.secret_key, tokens.RESIDENT, resident_id,
                              self.settings.access_token_ttl)
        return TokenPair(access, refresh_token, self.settings.access_token_ttl)
