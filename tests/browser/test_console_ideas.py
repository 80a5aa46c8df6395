"""A district akimat reviews residents' ideas in the console, in a real browser against a real `dauys serve`.

The round is made in the round editor with an ideas phase; residents propose through the API; staff see the
queue with its map and charts, hide two ideas at once with one reason and accept one onto the ballot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from core.clock import KAZAKHSTAN
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, console_sign_in
from tests.helpers import resident
from tests.servers import Server

REGION = "751510000"
EMAIL, PASSWORD = "browser-ideas@zhetysu.kz", "browser-pass-1"


def local(moment: datetime) -> str:
    return moment.astimezone(KAZAKHSTAN).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(scope="module")
def server(migrated_database, work_dir):
    dauys = Path(sys.executable).with_name("dauys")
    created = subprocess.run([str(dauys), "staff", "create", "--email", EMAIL, "--password", PASSWORD,
                              "--region", REGION, "--role", "moderator", "--language", "kk"],
                             capture_output=True, text=True, env=dict(os.environ), timeout=60)
    assert created.returncode == 0 or "already exists" in created.stderr, created.stderr
    admin = subprocess.run([str(dauys), "staff", "create", "--email", "admin-" + EMAIL, "--password", PASSWORD,
                            "--region", REGION, "--role", "admin", "--language", "ru"],
                           capture_output=True, text=True, env=dict(os.environ), timeout=60)
    assert admin.returncode == 0 or "already exists" in admin.stderr, admin.stderr
    running = Server(work_dir).start()
    yield running
    running.stop()


async def test_a_moderator_hides_two_ideas_at_once_and_accepts_one_onto_the_ballot(server, outbox, screenshots):
    from playwright.async_api import async_playwright, expect

    now = datetime.now(KAZAKHSTAN)
    async with async_playwright() as playwright, httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        page = await context.new_page()

        # The admin makes the round with an ideas phase running now.
        await console_sign_in(page, "admin-" + EMAIL, PASSWORD)
        await page.goto("/console/rounds/new")
        await page.select_option("#region", REGION)
        await page.fill("#title_ru", "Идеи Жетысу")
        await page.fill("#budget", "80000000")
        await page.fill("#ideas_opens_at", local(now - timedelta(minutes=5)))
        await page.fill("#ideas_closes_at", local(now + timedelta(days=7)))
        await page.fill("#voting_opens_at", local(now + timedelta(days=10)))
        await page.fill("#voting_closes_at", local(now + timedelta(days=20)))
        await page.click("form.card button[type=submit]")
        await expect(page.locator(".status.ideas")).to_be_visible()
        round_id = int(page.url.rsplit("/", 1)[1])
        await context.clear_cookies()

        ideas = []
        for title, lat, lon in (("Фонари у школы № 54", 43.27, 76.95), ("Реклама: окна недорого", None, None),
                                ("<img src=x onerror=alert(1)>", 43.28, 76.96)):
            person = await resident(api, outbox, REGION)
            body = {"title": title, "text": "Подробности идеи для района.", "category": "lighting"}
            if lat:
                body["location"] = {"lat": lat, "lon": lon}
            answer = await api.post(f"/api/v1/rounds/{round_id}/ideas", headers=person["headers"], json=body)
            assert answer.status_code == 201, answer.text
            ideas.append(answer.json()["id"])

        await console_sign_in(page, EMAIL, PASSWORD)
        dialogs = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await page.goto(f"/console/rounds/{round_id}/ideas")
        await expect(page.locator("html")).to_have_attribute("lang", "kk")
        await expect(page.locator("svg.map circle")).to_have_count(2)
        await expect(page.locator(f"#idea-{ideas[2]}")).to_contain_text("<img src=x onerror=alert(1)>")
        await page.screenshot(path=screenshots / "20-console-ideas-queue.png", full_page=True)

        await page.check(f"#idea-{ideas[1]} input[name=idea]")
        await page.check(f"#idea-{ideas[2]} input[name=idea]")
        await page.select_option("#decision", "hide")
        await page.fill("#reason_ru", "Реклама и спам не являются идеями для района")
        await page.click("form.bulk button[type=submit]")
        await expect(page.locator(".notice")).to_be_visible()
        await expect(page.locator(f"#idea-{ideas[1]} .status.hidden")).to_be_visible()
        assert not dialogs

        await page.click(f"#idea-{ideas[0]} a")
        await page.select_option("#decision", "accept")
        await page.fill("#cost", "6500000")
        await page.click("form.review button[type=submit]")
        await expect(page.locator(".status.accepted")).to_be_visible()
        await page.screenshot(path=screenshots / "21-console-idea-accepted.png", full_page=True)
        await browser.close()

    projects = httpx.get(f"{server.url}/api/v1/rounds/{round_id}/projects").json()
    assert [(p["idea_id"], p["cost"]) for p in projects] == [(ideas[0], 6_500_000)]
