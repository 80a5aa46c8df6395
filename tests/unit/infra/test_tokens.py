"""Access tokens: a verified token is remembered only as long as it is valid, and only for its own key."""

from __future__ import annotations

import time

import pytest

from infra import tokens
from infra.errors import NotAuthenticated

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


class Clock:
    """Stands in for time.time, which both the token code and joserfc read: a clock the test moves."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_remembered_token_still_expires_on_time(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)
    token = tokens.issue(SECRET, tokens.RESIDENT, 7, ttl=60)
    assert tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}") == tokens.Principal(tokens.RESIDENT, 7)
    clock.now += 59
    assert tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}").id == 7
    clock.now += 2
    with pytest.raises(NotAuthenticated, match="expired"):
        tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}")


def test_a_remembered_token_opens_nothing_else():
    token = tokens.issue(SECRET, tokens.RESIDENT, 7, ttl=60)
    assert tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}").id == 7
    with pytest.raises(NotAuthenticated, match="staff member"):
        tokens.verify(SECRET, tokens.STAFF, f"Bearer {token}")
    with pytest.raises(NotAuthenticated):
        tokens.verify(SECRET + "-rotated", tokens.RESIDENT, f"Bearer {token}")


def test_a_token_without_expiry_is_refused():
    from joserfc import jwt
    from joserfc.jwk import OctKey

    forever = jwt.encode({"alg": "HS256"}, {"sub": "7", "aud": "dauys:resident"}, OctKey.import_key(SECRET))
    with pytest.raises(NotAuthenticated):
        tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {forever}")
