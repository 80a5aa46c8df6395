"""Signed access tokens. Residents and staff get different audiences, so neither token opens the other's doors."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from budgets.errors import NotAuthenticated

RESIDENT = "resident"
STAFF = "staff"


@dataclass(frozen=True)
class Principal:
    kind: str
    id: int


def issue(secret: str, kind: str, subject_id: int, ttl: int) -> str:
    now = int(time.time())
    claims = {"sub": str(subject_id), "aud": f"dauys:{kind}", "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm="HS256")


# A phone sends the same access token with every request until it expires: checking its signature once
# per process is enough. Entries carry the token's expiry, so a cached token expires on time.
_verified: dict[tuple[str, str, str], tuple[Principal, float]] = {}
VERIFIED_TOKENS_KEPT = 100_000


def verify(secret: str, kind: str, authorization: str | None) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("Send 'Authorization: Bearer <access_token>'; sign in to get a token.")
    known = _verified.get((secret, kind, token))
    if known and known[1] > time.time():
        return known[0]
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=f"dauys:{kind}",
                            options={"require": ["exp", "sub"]})
        principal = Principal(kind=kind, id=int(claims["sub"]))
        if len(_verified) >= VERIFIED_TOKENS_KEPT:
            _verified.clear()
        _verified[(secret, kind, token)] = (principal, float(claims["exp"]))
        return principal
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("The access token has expired; refresh it or sign in again.") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        who = "a resident" if kind == RESIDENT else "a staff member"
        raise NotAuthenticated(f"The access token is not valid here: this endpoint needs {who}'s token.") from exc
