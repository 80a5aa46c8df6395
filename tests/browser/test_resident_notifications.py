"""A resident on a phone (390×844, Kazakh) against a real `dauys serve`: follows a project from its page, staff
close the round, the scheduler counts and publishes it, and the server's own notification worker puts the
results in the resident's feed in Kazakh; the menu counts it unread, marking it read works, and the settings
form shows its refusals beside the fields. axe-core on every new page. Screenshots go to
artifacts/screenshots/ (notify-*.png)."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, accessible, kazakh_phone, no_sideways_scroll
from tests.helpers import last_code, make_iin, new_phone, open_now, round_with_projects, staff_headers

REGION = "751110000"
# The scheduler runs each second in the test server: counting, publishing and fanning out take a few runs.
DELIVERY_WAIT_SECONDS = 60


async def test_a_follower_reads_the_results_in_the_feed_in_kazakh(server, outbox, screenshots):
    from playwright.async_api import async_playwright, expect

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        staff = await staff_headers(api, "site-notify-browser@almaly.kz", "Site-browser-2026", REGION)
        round_id, (project, _) = await round_with_projects(api, staff, [10_000_000, 20_000_000], region=REGION)
        await open_now(round_id)

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = await kazakh_phone(browser, server.url)
            page = await context.new_page()

            # Follow the project: signing in first, from the button's own link, and back to the project.
            await page.goto(f"/projects/{project}")
            await page.get_by_role("link", name="Жазылу үшін кіріңіз").click()
            phone = new_phone()
            await page.fill("input[name=phone]", phone)
            await page.get_by_role("button", name="Маған код жіберу").click()
            await page.fill("input[name=code]", last_code(outbox, phone))
            await page.get_by_role("button", name="Кіру").click()
            await page.fill("input[name=iin]", make_iin(date(1991, 6, 14)))
            await page.select_option("select[name=region]", REGION)
            await page.get_by_role("button", name="Растау").click()
            await expect(page).to_have_url(f"{server.url}/projects/{project}")
            await page.get_by_role("button", name="Жазылу: жаңалықтарды маған хабарлаңыз").click()
            await expect(page.locator("[data-following]")).to_be_visible()
            await expect(page.get_by_role("button", name="Жазылымнан бас тарту")).to_be_visible()
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "notify-01-following.png", full_page=True)
            await accessible(page)

            # Staff close the round; the scheduler counts and publishes it and the worker fans the event out.
            assert (await api.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)).status_code == 200
            results = page.locator(".card", has_text="Нәтижелер жарияланды")
            for _ in range(DELIVERY_WAIT_SECONDS):
                await page.goto("/me/notifications")
                if await results.count():
                    break
                await asyncio.sleep(1)
            await expect(results).to_have_count(1)
            assert await page.get_attribute("html", "lang") == "kk"
            await expect(results.get_by_role("link", name="Нәтижелер жарияланды")).to_have_attribute(
                "href", f"/rounds/{round_id}/results")
            await expect(results).to_have_attribute("data-unread", "")
            await expect(page.locator("[data-unread-count]")).to_be_visible()
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "notify-02-feed.png", full_page=True)
            await accessible(page)

            await results.get_by_role("button", name="Оқылды деп белгілеу").click()
            await expect(page).to_have_url(f"{server.url}/me/notifications#notification-"
                                           f"{await results.get_attribute('data-notification')}")
            await expect(results).not_to_have_attribute("data-unread", "")
            await expect(results.get_by_role("button", name="Оқылды деп белгілеу")).to_have_count(0)
            await page.screenshot(path=screenshots / "notify-03-read.png", full_page=True)

            # The settings: a time that is not one comes back beside its field, then a good one is saved.
            await page.get_by_role("link", name="Тіл, SMS, push және тыныштық уақыты").click()
            await expect(page.get_by_role("heading", name="Хабарлама баптаулары")).to_be_visible()
            await accessible(page)
            await page.fill("input[name=quiet_from]", "25:00")
            await page.fill("input[name=quiet_to]", "08:00")
            await page.get_by_role("button", name="Сақтау").click()
            await expect(page.locator("[data-errors]")).to_be_visible()
            await expect(page.locator("#quiet_from-error")).to_be_visible()
            await expect(page.locator("input[name=quiet_from]")).to_have_attribute("aria-invalid", "true")
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "notify-04-settings-refused.png", full_page=True)
            await accessible(page)
            await page.fill("input[name=quiet_from]", "22:00")
            await page.get_by_role("button", name="Сақтау").click()
            await expect(page.locator("[data-saved]")).to_be_visible()
            await expect(page.locator("input[name=quiet_from]")).to_have_value("22:00")
            await accessible(page)
            await browser.close()
