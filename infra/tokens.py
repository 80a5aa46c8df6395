"""Signed access tokens. Residents and staff get different audiences, so neither token opens the other's doors."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

from infra.errors import NotAuthenticated

RESIDENT = "resident"
STAFF = "staff"
ALGORITHMS = ["HS256"]


@dataclass(frozen=True)
class Principal:
    kind: str
    id: int
    # The staff account's token generation at issue (see admin.tables.Staff.token_generation); 0 for residents.
    generation: int = 0


@cache
def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret)


@cache
def _claims_rule(kind: str) -> jwt.JWTClaimsRegistry:
    return jwt.JWTClaimsRegistry(aud={"essential": True, "value": f"dauys:{kind}"},
                                 exp={"essential": True}, sub={"essential": True})


def issue(secret: str, kind: str, subject_id: int, ttl: int, generation: int = 0) -> str:
    now = int(time.time())
    claims = {"sub": str(subject_id), "aud": f"dauys:{kind}", "iat": now, "exp": now + ttl}
    if generation:
        claims["gen"] = generation
    return jwt.encode({"alg": "HS256"}, claims, _key(secret), algorithms=ALGORITHMS)


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
        claims = jwt.decode(token, _key(secret), algorithms=ALGORITHMS).claims
        _claims_rule(kind).validate(claims)
        principal = Principal(kind=kind, id=int(claims["sub"]), generation=int(claims.get("gen", 0)))
        expires = float(claims["exp"])
    except ExpiredTokenError as exc:
        raise NotAuthenticated("The access token has expired; refresh it or sign in again.") from exc
    except (JoseError, KeyError, TypeError, ValueError) as exc:
        if kind == RESIDENT:
            raise NotAuthenticated("The access token is not valid here: this endpoint needs a resident's token.") \
                from exc
        raise NotAuthenticated("The access token is not valid here: this endpoint needs a staff member's token.") \
            from exc
    if len(_verified) >= VERIFIED_TOKENS_KEPT:
        _verified.clear()
    _verified[(secret, kind, token)] = (principal, expires)
    return principal
