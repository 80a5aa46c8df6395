"""A district akimat runs a round in the console, in a real browser against a real `dauys serve`.

Sign in, create a round (first with mistakes), add projects with a photo, open voting, watch turnout
change while residents vote through the API, close, publish with a confirmation, download the results
and print a poster. Screenshots of the main pages go to artifacts/screenshots/.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import qrcode
from qrcode.image.pure import PyPNGImage

from core.clock import KAZAKHSTAN
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, pdf_pages
from tests.helpers import resident
from tests.servers import Server

REGION = "751910000"
EMAIL, PASSWORD = "browser-admin@turksib.kz", "browser-pass-1"


def local(moment: datetime) -> str:
    return moment.astimezone(KAZAKHSTAN).strftime("%Y-%m-%dT%H:%M")


def png() -> bytes:
    buffer = io.BytesIO()
    qrcode.make("dauys photo", image_factory=PyPNGImage, box_size=4).save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server(migrated_database, work_dir):
    dauys = Path(sys.executable).with_name("dauys")
    created = subprocess.run([str(dauys), "staff", "create", "--email", EMAIL, "--password", PASSWORD,
                              "--region", REGION, "--role", "admin", "--language", "ru"],
                             capture_output=True, text=True, env=dict(os.environ), timeout=60)
    assert created.returncode == 0 or "already exists" in created.stderr, created.stderr
    running = Server(work_dir, env={"DAUYS_MEDIA_DIR": str(work_dir / "media")}).start()
    yield running
    running.stop()


async def test_a_district_runs_a_round_in_the_console(server, outbox, screenshots, tmp_path):
    from playwright.async_api import async_playwright, expect

    now = datetime.now(KAZAKHSTAN)
    async with async_playwright() as playwright, httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, accept_downloads=True,
                                            viewport={"width": 1280, "height": 900}, locale="ru-RU")
        page = await context.new_page()

        # Signing in: the console sends a stranger to the sign-in page first.
        await page.goto("/console")
        await expect(page).to_have_url(f"{server.url}/console/sign-in?next=%2Fconsole")
        await page.fill("#email", EMAIL)
        await page.fill("#password", "wrong-password-1")
        await page.click("button[type=submit]")
        await expect(page.locator(".problem")).to_be_visible()
        await page.screenshot(path=screenshots / "01-sign-in-refused.png")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await expect(page).to_have_url(f"{server.url}/console")

        # A round with mistakes: each is shown beside its field and what was typed stays.
        await page.goto("/console/rounds/new")
        await page.select_option("#region", REGION)
        await page.fill("#budget", "50000000")
        await page.fill("#voting_opens_at", local(now + timedelta(days=2)))
        await page.fill("#voting_closes_at", local(now + timedelta(days=1)))
        await page.click("form.card button[type=submit]")
        await expect(page.locator("#title-error")).to_be_visible()
        await expect(page.locator("#voting_closes_at-error")).to_be_visible()
        await expect(page.locator("#budget")).to_have_value("50000000")
        await page.screenshot(path=screenshots / "02-round-editor-errors.png", full_page=True)

        await page.fill("#title_kk", "Түрксіб қатысу бюджеті")
        await page.fill("#title_ru", "Бюджет участия Турксиба")
        await page.fill("#voting_opens_at", local(now + timedelta(hours=1)))
        await page.fill("#voting_closes_at", local(now + timedelta(days=7)))
        await page.uncheck("input[name=auto_publish]")
        await page.click("form.card button[type=submit]")
        await expect(page.locator("h1")).to_have_text("Бюджет участия Турксиба")
        round_id = int(page.url.rsplit("/", 1)[1])

        for number, cost in enumerate((20_000_000, 15_000_000, 30_000_000), start=1):
            await page.goto(f"/console/rounds/{round_id}/projects/new")
            await page.fill("#title_kk", f"Аула {number}")
            await page.fill("#title_ru", f"Двор {number}")
            await page.fill("#cost", str(cost))
            await page.click("form.card button[type=submit]")
            await expect(page).to_have_url(f"{server.url}/console/rounds/{round_id}")
        projects = (await api.get(f"/api/v1/rounds/{round_id}/projects")).json()
        assert [p["cost"] for p in projects] == [20_000_000, 15_000_000, 30_000_000]

        # A photo: a text file is refused beside the field, a PNG is kept.
        await page.goto(f"/console/projects/{projects[0]['id']}/edit")
        await page.set_input_files("#photo", files=[{"name": "notes.png", "mimeType": "image/png",
                                                      "buffer": b"not really a picture"}])
        await page.click("text=Загрузить фото")
        await expect(page.locator("#photo-error")).to_be_visible()
        await page.set_input_files("#photo", files=[{"name": "yard.png", "mimeType": "image/png", "buffer": png()}])
        await page.click("text=Загрузить фото")
        await expect(page.locator("img.photo")).to_be_visible()
        await page.screenshot(path=screenshots / "03-project-with-photo.png", full_page=True)

        # Voting opens now: the akimat moves the opening time.
        await page.goto(f"/console/rounds/{round_id}/edit")
        await page.fill("#voting_opens_at", local(datetime.now(KAZAKHSTAN) - timedelta(minutes=1)))
        await page.click("form.card button[type=submit]")
        await expect(page.locator(".status.voting")).to_be_visible()

        await page.goto("/console")
        voters = page.locator(f'[data-voters="{round_id}"]')
        await expect(voters).to_have_text("0")
        for choices in ([0, 1], [0], [2], [1, 2]):
            person = await resident(api, outbox, REGION)
            cast = await api.put(f"/api/v1/rounds/{round_id}/ballot", headers=person["headers"],
                                 json={"choices": [{"project_id": projects[i]["id"]} for i in choices]})
            assert cast.status_code == 200, cast.text
        # The dashboard refreshes its counts by itself.
        await expect(voters).to_have_text("4", timeout=15_000)
        await page.screenshot(path=screenshots / "04-dashboard-live-turnout.png", full_page=True)
        await page.goto(f"/console/rounds/{round_id}/turnout")
        await expect(page.locator("h1")).to_contain_text("4")
        await page.screenshot(path=screenshots / "05-turnout-charts.png", full_page=True)

        # Close, with a confirmation; the scheduler counts within seconds.
        await page.goto(f"/console/rounds/{round_id}")
        await page.click("text=Закрыть голосование сейчас")
        await page.screenshot(path=screenshots / "06-close-confirmation.png")
        await page.click("button.danger")
        for _ in range(30):
            if await page.locator("table").count():
                break
            await page.wait_for_timeout(500)
            await page.reload()
        await expect(page.locator(".warning")).to_be_visible()
        await page.screenshot(path=screenshots / "07-results-preview.png", full_page=True)
        assert (await api.get(f"/api/v1/rounds/{round_id}/results")).status_code == 404

        await page.click("a.button.danger")
        await page.screenshot(path=screenshots / "08-publish-confirmation.png")
        await page.click("button.danger")
        await expect(page.locator(".status.published")).to_be_visible()
        published = (await api.get(f"/api/v1/rounds/{round_id}/results")).json()
        # Three projects with two votes each: the cheaper two fit the budget (ties go to the lower cost).
        assert published["voters"] == 4 and published["spent"] == 35_000_000

        downloads = {}
        for label in ("CSV", "JSON", "Pabulib"):
            async with page.expect_download() as waiting:
                await page.click(f"a.button:text-is('{label}')")
            download = await waiting.value
            target = tmp_path / download.suggested_filename
            await download.save_as(target)
            downloads[label] = target.read_text(encoding="utf-8-sig")
        assert downloads["CSV"].splitlines()[0].startswith("project_id,title,cost,votes")
        assert json.loads(downloads["JSON"])["voters"] == 4
        assert downloads["Pabulib"].startswith("META")

        # The poster prints on one A4 sheet with its QR code.
        await page.goto(f"/console/projects/{projects[0]['id']}/poster")
        await expect(page.locator(".qr svg")).to_be_visible()
        await page.screenshot(path=screenshots / "09-poster.png", full_page=True)
        await page.emulate_media(media="print")
        pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
        (screenshots / "09-poster.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 1

        await page.emulate_media(media="screen")
        await page.goto(f"/console/audit?target=round:{round_id}")
        await expect(page.locator("table.audit")).to_contain_text("Итоги опубликованы")
        await page.screenshot(path=screenshots / "10-audit-log.png", full_page=True)
        await browser.close()
