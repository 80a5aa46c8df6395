"""The language picked with the sign-in page's links is the one the console speaks after signing in."""

from __future__ import annotations

import uuid

from admin.tables import Staff
from tests.helpers import staff_headers
from tests.integration.admin.console_helpers import ConsoleSession

PASSWORD = "Language-pass-2026"


async def test_the_sign_in_pages_language_carries_into_the_session(client):
    email = f"language-{uuid.uuid4().hex[:6]}@almaly.kz"
    await staff_headers(client, email, PASSWORD, "751110000")  # an account in Russian, the default
    session = ConsoleSession(client, {})
    page = await session.get("/console/sign-in?lang=kk&next=%2Fconsole%2Fstaff")
    assert 'action="/console/sign-in?lang=kk"' in page.text and 'href="?lang=ru&amp;next=/console/staff"' in page.text

    signed_in = await session.post("/console/sign-in?lang=kk", {"email": email, "password": PASSWORD},
                                   form_page="/console/sign-in?lang=kk")
    assert signed_in.status_code == 303, signed_in.text
    session.cookies.update(dict(signed_in.cookies.items()))
    dashboard = await session.get("/console")
    assert '<html lang="kk">' in dashboard.text and "Менің өңірімнің дауыс берулері" in dashboard.text
    assert (await Staff.select(Staff.language).where(Staff.email == email).first())["language"] == "kk"


async def test_the_browsers_language_alone_does_not_change_the_account(client):
    email = f"language-{uuid.uuid4().hex[:6]}@almaly.kz"
    await staff_headers(client, email, PASSWORD, "751110000")
    session = ConsoleSession(client, {})
    page = await session.get("/console/sign-in", headers={"Accept-Language": "en"})
    assert 'action="/console/sign-in"' in page.text
    signed_in = await session.post("/console/sign-in", {"email": email, "password": PASSWORD},
                                   headers={"Accept-Language": "en"})
    assert signed_in.status_code == 303
    assert (await Staff.select(Staff.language).where(Staff.email == email).first())["language"] == "ru"
