"""Sign-in limits, two-factor codes, session revocation, CSRF and upload checks of the console and admin API."""

from __future__ import annotations

import pyotp

from admin.staff import set_active, set_totp_secret
from admin.tables import Staff
from core.tables import AuditEntry
from tests.helpers import round_body, staff_headers
from tests.integration.admin.console_helpers import ConsoleSession, console_sign_in

PASSWORD = "security-pass-1"


async def test_failed_sign_ins_lock_the_account(client):
    await staff_headers(client, "locked@akimat.kz", PASSWORD, "751110000")
    for _ in range(5):
        wrong = await client.post("/api/v1/admin/session", json={"email": "locked@akimat.kz",
                                                                 "password": "nope-123456"})
        assert wrong.status_code == 401
    locked = await client.post("/api/v1/admin/session", json={"email": "locked@akimat.kz", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    page = await ConsoleSession(client, {}).post("/console/sign-in", {"email": "locked@akimat.kz",
                                                                      "password": PASSWORD})
    assert page.status_code == 429 and "Retry-After" in page.headers


async def test_two_factor_codes_are_needed_and_used_once(client):
    await staff_headers(client, "totp@akimat.kz", PASSWORD, "751110000")
    member = await Staff.select().where(Staff.email == "totp@akimat.kz").first()
    secret = pyotp.random_base32()
    await set_totp_secret(member, secret)
    body = {"email": "totp@akimat.kz", "password": PASSWORD}
    assert (await client.post("/api/v1/admin/session", json=body)).status_code == 401
    code = pyotp.TOTP(secret).now()
    assert (await client.post("/api/v1/admin/session", json={**body, "totp": code})).status_code == 200
    assert (await client.post("/api/v1/admin/session", json={**body, "totp": code})).status_code == 401


async def test_signing_out_everywhere_ends_every_session(client):
    await staff_headers(client, "revoke@akimat.kz", PASSWORD, "751110000")
    first = await console_sign_in(client, "revoke@akimat.kz", PASSWORD)
    second = await console_sign_in(client, "revoke@akimat.kz", PASSWORD)
    assert (await first.get("/console")).status_code == 200
    out = await second.post("/console/account/sign-out-everywhere", form_page="/console/account")
    assert out.status_code == 303
    assert (await first.get("/console")).status_code == 303
    assert (await second.get("/console")).status_code == 303


async def test_signing_out_everywhere_in_the_console_ends_api_tokens_too(client):
    api = await staff_headers(client, "revoke-api@akimat.kz", PASSWORD, "751110000")
    other_process_token = await staff_headers(client, "revoke-api@akimat.kz", PASSWORD, "751110000")
    assert (await client.get("/api/v1/admin/rounds", headers=api)).status_code == 200
    console = await console_sign_in(client, "revoke-api@akimat.kz", PASSWORD)
    assert (await console.post("/console/account/sign-out-everywhere", form_page="/console/account")).status_code == 303
    for headers in (api, other_process_token):
        refused = await client.get("/api/v1/admin/rounds", headers=headers)
        assert refused.status_code == 401, refused.text
        assert "signed out everywhere" in refused.json()["detail"]
    # A new sign-in, even in the same second, works.
    again = await staff_headers(client, "revoke-api@akimat.kz", PASSWORD, "751110000")
    assert (await client.get("/api/v1/admin/rounds", headers=again)).status_code == 200


async def test_the_api_revokes_every_token_and_console_session_of_the_caller(client):
    first = await staff_headers(client, "revoke-self@akimat.kz", PASSWORD, "751110000")
    second = await staff_headers(client, "revoke-self@akimat.kz", PASSWORD, "751110000")
    console = await console_sign_in(client, "revoke-self@akimat.kz", PASSWORD)
    bystander = await staff_headers(client, "revoke-bystander@akimat.kz", PASSWORD, "751110000")
    answer = await client.post("/api/v1/admin/session/revoke", headers=first)
    assert answer.status_code == 204, answer.text
    for headers in (first, second):
        assert (await client.get("/api/v1/admin/rounds", headers=headers)).status_code == 401
    assert (await client.post("/api/v1/admin/session/revoke", headers=first)).status_code == 401
    assert (await console.get("/console")).status_code == 303
    assert (await client.get("/api/v1/admin/rounds", headers=bystander)).status_code == 200
    revoked = await Staff.select(Staff.id).where(Staff.email == "revoke-self@akimat.kz").first()
    assert await AuditEntry.exists().where((AuditEntry.action == "staff.sign_out_everywhere")
                                           & (AuditEntry.target == f"staff:{revoked['id']}"))


async def test_a_deactivated_accounts_old_tokens_stay_dead_after_reactivation(client):
    admin = await staff_headers(client, "revoke-admin@akimat.kz", PASSWORD, "751110000")
    target = await staff_headers(client, "revoke-target@akimat.kz", PASSWORD, "751110000")
    member = await Staff.select().where(Staff.email == "revoke-target@akimat.kz").first()
    admin_member = await Staff.select().where(Staff.email == "revoke-admin@akimat.kz").first()
    await set_active(admin_member, member["id"], False)
    assert (await client.get("/api/v1/admin/rounds", headers=target)).status_code == 401
    await set_active(admin_member, member["id"], True)
    assert (await client.get("/api/v1/admin/rounds", headers=target)).status_code == 401
    assert (await client.get("/api/v1/admin/rounds", headers=admin)).status_code == 200


async def test_forms_without_the_csrf_token_are_refused(client):
    await staff_headers(client, "csrf@akimat.kz", PASSWORD, "751110000")
    session = await console_sign_in(client, "csrf@akimat.kz", PASSWORD)
    answer = await session._send("POST", "/console/rounds/new", data={"region": "751110000"})
    assert answer.status_code == 403 and "text/html" in answer.headers["content-type"]


async def test_uploads_are_checked_for_type_and_size(client):
    headers = await staff_headers(client, "upload@akimat.kz", PASSWORD, "751110000")
    round_id = (await client.post("/api/v1/admin/rounds", json=round_body(), headers=headers)).json()["id"]
    project = await client.post(f"/api/v1/admin/rounds/{round_id}/projects", headers=headers,
                                json={"title": {"ru": "Сквер"}, "cost": 1000})
    session = await console_sign_in(client, "upload@akimat.kz", PASSWORD)
    page = f"/console/projects/{project.json()['id']}/edit"
    address = f"/console/projects/{project.json()['id']}/photo"
    text = await session.post(address, files={"photo": ("a.png", b"hello", "image/png")}, form_page=page)
    assert text.status_code == 422 and 'id="photo-error"' in text.text
    large = b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 10)
    big = await session.post(address, files={"photo": ("a.jpg", large, "image/jpeg")}, form_page=page)
    assert big.status_code == 422 and 'id="photo-error"' in big.text
    huge = await session.post(address, files={"photo": ("a.jpg", large * 2, "image/jpeg")}, form_page=page)
    assert huge.status_code == 413 and "text/html" in huge.headers["content-type"]
