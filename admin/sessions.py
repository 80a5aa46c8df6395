"""Console sessions, kept server-side in the store (Redis or memory) so that any process can end one.

The browser holds only a random token; the store keeps its hash. Signing out deletes the session;
"sign out everywhere", a deactivated account or a new two-factor secret moves the account's token
generation on (admin.staff.revoke_sign_ins), which ends every session and API token opened before.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time

from infra.stores import Store

COOKIE = "dauys_console"


def _key(token: str) -> str:
    return "console:session:" + hashlib.sha256(token.encode()).hexdigest()


async def open_session(store: Store, staff: dict, ttl: int, must_enrol: bool = False) -> str:
    token = secrets.token_urlsafe(32)
    value = {"staff_id": staff["id"], "generation": staff["token_generation"], "opened": time.time(),
             "must_enrol": must_enrol}
    await store.set(_key(token), json.dumps(value).encode(), ttl)
    return token


async def read_session(store: Store, token: str | None) -> dict | None:
    """The session of `token`, or None when it is unknown or expired; whether the account revoked it since
    is the account's to say (admin.staff.get_staff with the session's generation)."""
    if not token or len(token) > 100:
        return None
    raw = await store.get(_key(token))
    return None if raw is None else json.loads(raw)


async def update_session(store: Store, token: str, session: dict) -> None:
    ttl = await store.ttl(_key(token))
    if ttl > 0:
        await store.set(_key(token), json.dumps(session).encode(), ttl)


async def close_session(store: Store, token: str | None) -> None:
    if token:
        await store.delete(_key(token))

