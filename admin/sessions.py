"""Console sessions, kept server-side in the store (Redis or memory) so that any process can end one.

The browser holds only a random token; the store keeps its hash. Signing out deletes the session;
"sign out everywhere", a deactivated account or a new two-factor secret revokes every session the
account opened before that moment.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time

from server.stores import Store

COOKIE = "dauys_console"


def _key(token: str) -> str:
    return "console:session:" + hashlib.sha256(token.encode()).hexdigest()


def _revoked_key(staff_id: int) -> str:
    return f"console:revoked-before:{staff_id}"


async def open_session(store: Store, staff_id: int, ttl: int, must_enrol: bool = False) -> str:
    token = secrets.token_urlsafe(32)
    value = {"staff_id": staff_id, "opened": time.time(), "must_enrol": must_enrol}
    await store.set(_key(token), json.dumps(value).encode(), ttl)
    return token


async def read_session(store: Store, token: str | None) -> dict | None:
    """The live session of `token`, or None when it is unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    raw = await store.get(_key(token))
    if raw is None:
        return None
    session = json.loads(raw)
    revoked = await store.get(_revoked_key(session["staff_id"]))
    if revoked is not None and session["opened"] <= float(revoked):
        return None
    return session


async def update_session(store: Store, token: str, session: dict) -> None:
    ttl = await store.ttl(_key(token))
    if ttl > 0:
        await store.set(_key(token), json.dumps(session).encode(), ttl)


async def close_session(store: Store, token: str | None) -> None:
    if token:
        await store.delete(_key(token))


async def revoke_all(store: Store, staff_id: int, ttl: int) -> None:
    """End every session of the account opened until now; `ttl` is the longest a session lives."""
    await store.set(_revoked_key(staff_id), str(time.time()).encode(), ttl)
