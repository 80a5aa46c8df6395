"""Access-token rules, pinned so that a changed rule fails a test (see tests/mutation_survivors.md).

What a token carries, which header forms are accepted, which algorithm is, what each refusal says, and
how the per-process memory of verified tokens behaves (it skips the signature check, never the expiry).
"""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from infra import tokens
from infra.errors import NotAuthenticated

SECRET = "another-test-secret-long-enough-for-hs256-and-hs512"


@pytest.fixture(autouse=True)
def forget_verified():
    tokens._verified.clear()
    yield
    tokens._verified.clear()


@pytest.fixture
def decodes(monkeypatch):
    """Counts the signature checks verify makes."""
    calls = []
    real = tokens.jwt.decode

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", counting)
    return calls


def test_a_token_carries_subject_audience_issue_time_and_expiry():
    before = int(time.time())
    token = tokens.issue(SECRET, tokens.STAFF, 42, ttl=900)
    after = int(time.time())
    decoded = jwt.decode(token, OctKey.import_key(SECRET), algorithms=["HS256"])
    assert decoded.header == {"alg": "HS256", "typ": "JWT"}
    claims = decoded.claims
    assert set(claims) == {"sub", "aud", "iat", "exp"}
    assert claims["sub"] == "42" and claims["aud"] == "dauys:staff"
    assert before <= claims["iat"] <= after
    assert claims["exp"] == claims["iat"] + 900


def test_only_the_bearer_scheme_with_a_token_is_accepted():
    token = tokens.issue(SECRET, tokens.RESIDENT, 5, ttl=60)
    # The scheme's case does not matter (RFC 7235).
    assert tokens.verify(SECRET, tokens.RESIDENT, f"bEaReR {token}") == tokens.Principal(tokens.RESIDENT, 5)
    missing = "Send 'Authorization: Bearer <access_token>'; sign in to get a token."
    for header in (None, "", f"Basic {token}", token, "Bearer", "Bearer "):
        with pytest.raises(NotAuthenticated) as refused:
            tokens.verify(SECRET, tokens.RESIDENT, header)
        assert str(refused.value.args[0]) == missing, header


def test_a_token_with_a_space_in_it_is_named_invalid_not_missing():
    token = tokens.issue(SECRET, tokens.RESIDENT, 5, ttl=60)
    with pytest.raises(NotAuthenticated, match="is not valid here"):
        tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token} extra")


def test_only_hs256_is_accepted():
    claims = {"sub": "5", "aud": "dauys:resident", "iat": int(time.time()), "exp": int(time.time()) + 60}
    other = jwt.encode({"alg": "HS512"}, claims, OctKey.import_key(SECRET), algorithms=["HS512"])
    with pytest.raises(NotAuthenticated, match="is not valid here"):
        tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {other}")


def test_each_refusal_names_the_token_the_endpoint_needs():
    resident = tokens.issue(SECRET, tokens.RESIDENT, 5, ttl=60)
    staff = tokens.issue(SECRET, tokens.STAFF, 6, ttl=60)
    with pytest.raises(NotAuthenticated) as refused:
        tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {staff}")
    assert refused.value.args[0] == "The access token is not valid here: this endpoint needs a resident's token."
    with pytest.raises(NotAuthenticated) as refused:
        tokens.verify(SECRET, tokens.STAFF, f"Bearer {resident}")
    assert refused.value.args[0] == "The access token is not valid here: this endpoint needs a staff member's token."


def test_an_expired_token_says_so():
    claims = {"sub": "5", "aud": "dauys:resident", "iat": int(time.time()) - 120, "exp": int(time.time()) - 60}
    old = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(SECRET), algorithms=["HS256"])
    with pytest.raises(NotAuthenticated) as refused:
        tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {old}")
    assert refused.value.args[0] == "The access token has expired; refresh it or sign in again."


def test_a_verified_token_is_checked_once_and_answers_the_same(decodes):
    token = tokens.issue(SECRET, tokens.RESIDENT, 9, ttl=60)
    first = tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}")
    second = tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}")
    assert first == second == tokens.Principal(tokens.RESIDENT, 9)
    assert decodes == [token]
    exp = jwt.decode(token, OctKey.import_key(SECRET), algorithms=["HS256"]).claims["exp"]
    assert tokens._verified[(SECRET, tokens.RESIDENT, token)] == (first, float(exp))


def test_a_remembered_token_is_checked_again_from_its_expiry_second(decodes, monkeypatch):
    token = tokens.issue(SECRET, tokens.RESIDENT, 9, ttl=60)
    tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}")
    expires = tokens._verified[(SECRET, tokens.RESIDENT, token)][1]

    class Clock:
        @staticmethod
        def time():
            return expires

    # Only this module's clock is stopped at the expiry: the library still finds the token valid, so
    # the second check shows that the remembered entry was not trusted at its last second.
    monkeypatch.setattr(tokens, "time", Clock)
    tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}")
    assert len(decodes) == 2


def test_the_memory_of_verified_tokens_never_exceeds_its_size(monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS_KEPT", 3)
    for subject in range(10):
        token = tokens.issue(SECRET, tokens.RESIDENT, subject, ttl=60)
        tokens.verify(SECRET, tokens.RESIDENT, f"Bearer {token}")
        assert 1 <= len(tokens._verified) <= 3
