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


def verify(secret: str, kind: str, authorization: str | None) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("Send 'Authorization: Bearer <access_token>'; sign in to get a token.")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=f"dauys:{kind}")
        return Principal(kind=kind, id=int(claims["sub"]))
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("The access token has expired; refresh it or sign in again.") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        who = "a resident" if kind == RESIDENT else "a staff member"
        raise NotAuthenticated(f"The access token is not valid here: this endpoint needs {who}'s token.") from exc
