"""Staff sign-in, for the API and the console alike: password, two-factor code and attempt limits.

Failed attempts are counted per account and per IP address with atomic counters in the store, so
every server process enforces one limit together. A success clears the account's counter only: one
person signing in must not reset the count of an address someone is guessing from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from admin import totp
from admin.staff import SUPERUSER, authenticate, get_staff
from infra.errors import FieldError, NotAuthenticated, TooManyRequests
from infra.settings import Settings
from infra.stores import Store

WINDOW = 15 * 60
ACCOUNT_LIMIT = 5
# Offices sit behind one address: the per-address limit is several accounts' worth.
IP_LIMIT = 30
TWO_FACTOR_ROLES = ("admin", SUPERUSER)


class SecondFactorNeeded(NotAuthenticated):
    """The password was right and the account asks for its two-factor code."""


@dataclass(frozen=True)
class SignedIn:
    staff: dict
    # In production an admin without two-factor sign-in may only set it up before doing anything else.
    must_enrol: bool


def _keys(email: str, ip: str) -> tuple[str, str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"staff:signin-fail:account:{account}", f"staff:signin-fail:ip:{ip}"


async def _refuse_when_locked(store: Store, keys: tuple[str, str]) -> None:
    for key, limit in zip(keys, (ACCOUNT_LIMIT, IP_LIMIT)):
        value = await store.get(key)
        if value is not None and int(value) >= limit:
            raise TooManyRequests("Too many failed sign-ins: wait a few minutes and try again.",
                                  await store.ttl(key))


async def _failed(store: Store, keys: tuple[str, str]) -> None:
    for key in keys:
        await store.incr(key, WINDOW)


async def sign_in(store: Store, settings: Settings, email: str, password: str, code: str | None,
                  ip: str) -> SignedIn:
    keys = _keys(email, ip)
    await _refuse_when_locked(store, keys)
    try:
        staff = await get_staff(await authenticate(email, password))
    except NotAuthenticated:
        await _failed(store, keys)
        raise
    if staff["totp_secret"]:
        if not (code or "").strip():
            raise SecondFactorNeeded("Enter the 6-digit code from your authenticator app.",
                                     [FieldError("code", "needed")])
        if not await totp.accept_code(store, staff["id"], staff["totp_secret"], code or ""):
            await _failed(store, keys)
            raise NotAuthenticated("The two-factor code is wrong or was already used.",
                                   [FieldError("code", "wrong")])
    await store.delete(keys[0])
    must_enrol = settings.env == "prod" and staff["role"] in TWO_FACTOR_ROLES and not staff["totp_secret"]
    return SignedIn(staff, must_enrol)
