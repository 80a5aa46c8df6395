"""Optional two-factor sign-in with time-based codes (RFC 6238), as phone authenticator apps make them."""

from __future__ import annotations

import pyotp

from infra.stores import Store

ISSUER = "Dauys"
# A code is accepted once: a code seen on a shoulder or in a proxy log cannot be replayed.
REPLAY_TTL = 120


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def code_matches(secret: str, code: str) -> bool:
    code = code.strip().replace(" ", "")
    return len(code) == 6 and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


async def accept_code(store: Store, staff_id: int, secret: str, code: str) -> bool:
    """True once for a valid code; the same code again within its validity is refused."""
    if not code_matches(secret, code):
        return False
    return await store.incr(f"staff:totp-used:{staff_id}:{code.strip()}", REPLAY_TTL) == 1
