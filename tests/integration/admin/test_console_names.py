"""Console pages name regions and counting rules instead of showing their codes, and the poster is Kazakh and
Russian whatever the member's language, with a QR code of the resident site's project page."""

from __future__ import annotations

import uuid

from admin.console.qr import qr_svg
from admin.staff import set_language
from admin.tables import Staff
from tests.helpers import round_with_projects, staff_headers
from tests.integration.admin.console_helpers import console_sign_in

PASSWORD = "Names-pass-2026"


async def test_regions_and_rules_are_shown_by_name(client):
    email = f"names-{uuid.uuid4().hex[:6]}@almaly.kz"
    headers = await staff_headers(client, email, PASSWORD, "751110000")
    round_id, projects = await round_with_projects(client, headers, [10_000_000], rule="mes-add1")
    member = await Staff.select().where(Staff.email == email).first()
    await set_language(member, "kk")
    session = await console_sign_in(client, email, PASSWORD)

    pages = {path: (await session.get(path)).text for path in (
        "/console", f"/console/rounds/{round_id}", f"/console/rounds/{round_id}/edit", "/console/staff",
        "/console/account", f"/console/projects/{projects[0]}/edit", "/console/audit")}
    for path, text in pages.items():
        assert "Алмалы ауданы" in text, path
        assert ">751110000<" not in text and "· 751110000" not in text, path
    assert "Тең үлестер, бюджет толық жұмсалады" in pages[f"/console/rounds/{round_id}"]
    assert ">mes-add1<" not in pages[f"/console/rounds/{round_id}"]
    assert '<option value="mes-add1" selected>Тең үлестер, бюджет толық жұмсалады</option>' in \
        pages[f"/console/rounds/{round_id}/edit"]


async def test_the_poster_speaks_kazakh_and_russian_and_its_qr_opens_the_resident_page(client):
    email = f"poster-{uuid.uuid4().hex[:6]}@almaly.kz"
    headers = await staff_headers(client, email, PASSWORD, "751110000")
    _, projects = await round_with_projects(client, headers, [12_500_000])
    member = await Staff.select().where(Staff.email == email).first()
    await set_language(member, "en")
    session = await console_sign_in(client, email, PASSWORD)

    poster = (await session.get(f"/console/projects/{projects[0]}/poster")).text
    kk = poster[poster.index('<section class="side" lang="kk">'):poster.index('<section class="side" lang="ru">')]
    ru = poster[poster.index('<section class="side" lang="ru">'):poster.index('<div class="qr">')]
    assert "Жоба 1" in kk and "Құны" in kk and "Алмалы ауданы" in kk and "12\xa0500\xa0000 ₸" in kk
    assert "Проект 1" in ru and "Стоимость" in ru and "Алмалинский район" in ru and "12\xa0500\xa0000 ₸" in ru
    assert "Cost" not in poster and '<a href="/console/rounds/' in poster  # only the screen's bar is English
    link = f"http://dauys.test/projects/{projects[0]}"
    assert str(qr_svg(link)) in poster and f">{link}<" in poster and "/api/v1/" not in poster
