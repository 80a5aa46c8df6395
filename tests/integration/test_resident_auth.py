"""Resident sign-in, refresh rotation, residency with an IIN."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import bearer, last_code, make_iin, new_phone, resident, sign_in


@pytest.mark.parametrize("phone", ["87011234567", "+7701123456", "+77011234567890", "+71234567890", "+7 701 123 45 6"])
async def test_only_kazakh_mobile_numbers_get_codes(client, phone):
    answer = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["field"] == "phone"


async def test_code_is_sent_and_works_once(client, outbox):
    phone = new_phone()
    sent = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202 and sent.json() == {"expires_in": 300}
    code = last_code(outbox, phone)
    first = await client.post("/api/v1/auth/token", json={"phone": phone, "code": code})
    assert first.status_code == 200
    body = first.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0 and body["refresh_token"]
    again = await client.post("/api/v1/auth/token", json={"phone": phone, "code": code})
    assert again.status_code == 401


async def test_five_wrong_codes_lock_the_phone(client, outbox):
    phone = new_phone()
    await client.post("/api/v1/auth/otp", json={"phone": phone})
    code = last_code(outbox, phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        answer = await client.post("/api/v1/auth/token", json={"phone": phone, "code": wrong})
        assert answer.status_code == 401
    locked = await client.post("/api/v1/auth/token", json={"phone": phone, "code": code})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 14 * 60
    assert (await client.post("/api/v1/auth/otp", json={"phone": phone})).status_code == 429


async def test_refresh_token_works_once_and_a_replay_ends_the_sign_in(client, outbox):
    tokens = await sign_in(client, outbox)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401
    # The replay revoked the whole family, including the token handed out by the rotation.
    stolen = await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert stolen.status_code == 401


async def test_profile_masks_the_phone_and_never_shows_the_iin(client, outbox):
    who = await resident(client, outbox, born=date(1990, 1, 1))
    me = (await client.get("/api/v1/me", headers=who["headers"])).json()
    assert me["phone"].startswith("+7701") and "*" in me["phone"] and me["phone"] != who["phone"]
    assert me["region"] == "751110000" and me["age"] >= 36 and me["language"] == "ru"
    assert "iin" not in me


@pytest.mark.parametrize("iin", ["061211600013", "12345", "991332300000"])
async def test_bad_iin_is_refused_and_changes_nothing(client, outbox, iin):
    tokens = await sign_in(client, outbox)
    answer = await client.put("/api/v1/me/residency", json={"iin": iin, "region": "751110000"},
                              headers=bearer(tokens["access_token"]))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "iin"
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).json()["region"] is None


async def test_unknown_region_is_refused(client, outbox):
    tokens = await sign_in(client, outbox)
    answer = await client.put("/api/v1/me/residency", json={"iin": make_iin(date(1980, 3, 3)), "region": "999999999"},
                              headers=bearer(tokens["access_token"]))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "region"


async def test_one_iin_belongs_to_one_phone(client, outbox):
    iin = make_iin(date(1985, 7, 7))
    first = await sign_in(client, outbox)
    second = await sign_in(client, outbox)
    body = {"iin": iin, "region": "751110000"}
    assert (await client.put("/api/v1/me/residency", json=body,
                             headers=bearer(first["access_token"]))).status_code == 200
    taken = await client.put("/api/v1/me/residency", json=body, headers=bearer(second["access_token"]))
    assert taken.status_code == 409
    # The holder may repeat the proof (e.g. after moving to another district).
    moved = await client.put("/api/v1/me/residency", json={**body, "region": "751310000"},
                             headers=bearer(first["access_token"]))
    assert moved.status_code == 200 and moved.json()["region"] == "751310000"


async def test_tokens_are_not_interchangeable(client, outbox):
    who = await resident(client, outbox)
    assert (await client.get("/api/v1/admin/rounds", headers=who["headers"])).status_code == 401
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer("not-a-token"))).status_code == 401
