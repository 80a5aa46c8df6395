"""A resident on a phone (390×844, Kazakh) against a real `dauys serve`: from the home page to a counted
ballot and its receipt, the knapsack's running total, a changed vote, the receipt's check, published results,
offline reading through the service worker, axe-core on every page; no request leaves 127.0.0.1. And a
resident proposing an idea with a photo and supporting another's in a round's ideas phase.
Screenshots of each step go to artifacts/screenshots/ (resident-*.png)."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import httpx

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, accessible, kazakh_phone, no_sideways_scroll
from tests.helpers import (
    last_code,
    make_iin,
    new_phone,
    open_now,
    photo_bytes,
    resident,
    round_with_projects,
    staff_headers,
)
from tests.integration.ideas.helpers import ideas_round, propose

REGION = "751110000"


async def test_a_resident_votes_from_a_phone_in_kazakh(server, outbox, screenshots):
    from playwright.async_api import async_playwright, expect

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        staff = await staff_headers(api, "site-browser@almaly.kz", "Site-browser-2026", REGION)
        round_id, (a, b, c) = await round_with_projects(
            api, staff, [10_000_000, 20_000_000, 30_000_000], region=REGION,
            vote={"method": "knapsack", "max_cost": 35_000_000})
        await open_now(round_id)
        points, (p, q) = await round_with_projects(api, staff, [5_000_000, 6_000_000], region=REGION,
                                                   vote={"method": "points", "points_total": 10})
        await open_now(points)

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = await kazakh_phone(browser, server.url)
            outside: list[str] = []
            context.on("request", lambda request: outside.append(request.url)
                       if not request.url.startswith((server.url, "data:")) else None)
            page = await context.new_page()

            await page.goto("/")
            assert await page.get_attribute("html", "lang") == "kk"
            await expect(page.get_by_role("heading", name="Ашық дауыс беру")).to_be_visible()
            weight = await page.evaluate("""() => performance.getEntriesByType('navigation')
                .concat(performance.getEntriesByType('resource'))
                .reduce((sum, entry) => sum + (entry.transferSize || entry.encodedBodySize || 0), 0)""")
            assert 0 < weight < 200 * 1024, weight
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "resident-01-home.png", full_page=True)
            await accessible(page)

            # Sign in with the code from the SMS, then prove residency once.
            await page.goto(f"/rounds/{round_id}")
            await page.get_by_role("link", name="Дауыс беру үшін кіріңіз").click()
            phone = new_phone()
            await accessible(page)
            await page.fill("input[name=phone]", phone)
            await page.get_by_role("button", name="Маған код жіберу").click()
            await page.fill("input[name=code]", "000000")
            await page.get_by_role("button", name="Кіру").click()
            await expect(page.locator(".problem")).to_be_visible()
            await page.screenshot(path=screenshots / "resident-02-wrong-code.png", full_page=True)
            await accessible(page)
            await page.fill("input[name=code]", last_code(outbox, phone))
            await page.get_by_role("button", name="Кіру").click()
            await expect(page).to_have_url(f"{server.url}/signin/residency?next=/rounds/{round_id}")
            await accessible(page)
            await page.fill("input[name=iin]", "123456789012")
            await page.select_option("select[name=region]", REGION)
            await page.get_by_role("button", name="Растау").click()
            await expect(page.locator("#iin-error")).to_be_visible()
            await accessible(page)
            await page.fill("input[name=iin]", make_iin(date(1988, 3, 9)))
            await page.get_by_role("button", name="Растау").click()
            await expect(page).to_have_url(f"{server.url}/rounds/{round_id}")

            # The knapsack's running total follows the ticks; too much is said before the form is sent.
            total = page.locator("[data-total]")
            left = page.locator(".total [data-left]")
            await expect(total).to_have_text("0")
            await page.check(f"input[name=project][value='{a}']")
            await page.check(f"input[name=project][value='{b}']")
            await expect(total).to_have_text("30 000 000")
            await expect(left).to_have_text("5 000 000")
            await page.check(f"input[name=project][value='{c}']")
            await expect(page.locator(".total .over")).to_be_visible()
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "resident-03-knapsack-over.png", full_page=True)
            await accessible(page)
            await page.uncheck(f"input[name=project][value='{c}']")
            await expect(page.locator(".total .over")).to_be_hidden()
            box = await page.locator("button.vote").bounding_box()
            assert box and box["height"] >= 44
            await page.locator("button.vote").click()
            receipt = page.locator("[data-receipt]")
            await expect(receipt).to_be_visible()
            first = await receipt.get_attribute("data-receipt")
            await page.screenshot(path=screenshots / "resident-04-receipt.png", full_page=True)
            await accessible(page)

            # Change the vote until the deadline: the first receipt is then superseded.
            await page.goto(f"/rounds/{round_id}")
            await expect(page.locator(f"input[name=project][value='{a}']")).to_be_checked()
            await page.uncheck(f"input[name=project][value='{b}']")
            await page.check(f"input[name=project][value='{c}']")
            await expect(total).to_have_text("40 000 000")
            await page.uncheck(f"input[name=project][value='{a}']")
            await page.locator("button.vote").click()
            second = await page.locator("[data-receipt]").get_attribute("data-receipt")
            assert second and second != first
            await page.goto(f"/receipts/{first}")
            await expect(page.locator("[data-status=superseded]")).to_be_visible()
            await page.get_by_label("Түбіртек").fill(second)
            await page.get_by_role("button", name="Тексеру").click()
            await expect(page.locator("[data-status=counted]")).to_be_visible()
            await page.screenshot(path=screenshots / "resident-05-receipt-check.png", full_page=True)
            await accessible(page)

            # The QR poster's page offers the vote while the round is open.
            await page.goto(f"/projects/{c}")
            await expect(page.get_by_role("link", name="Осы жобаға дауыс беру")).to_be_visible()
            await accessible(page)

            # Points: what is left to give follows the numbers typed.
            await page.goto(f"/rounds/{points}")
            await expect(page.locator(".total [data-left]")).to_have_text("10")
            await page.fill(f"input[data-project='{p}']", "7")
            await expect(page.locator(".total [data-left]")).to_have_text("3")
            await page.fill(f"input[data-project='{q}']", "3")
            await expect(page.locator(".total [data-left]")).to_have_text("0")
            await accessible(page)
            await page.locator("button.vote").click()
            await expect(page.locator("[data-receipt]")).to_be_visible()

            # Results after the round closes (the scheduler counts and publishes it).
            assert (await api.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)).status_code == 200
            for _ in range(60):
                if (await api.get(f"/api/v1/rounds/{round_id}/results")).status_code == 200:
                    break
                await asyncio.sleep(0.5)
            await page.goto(f"/rounds/{round_id}/results")
            await expect(page.locator(".result.selected").first).to_be_visible()
            await expect(page.get_by_role("link", name="results.pb")).to_be_visible()
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "resident-06-results.png", full_page=True)
            await accessible(page)

            # A page read once stays readable offline, through the service worker.
            await page.goto("/")
            await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            await page.goto(f"/projects/{c}")
            await page.goto(f"/projects/{c}")
            await context.set_offline(True)
            await page.reload()
            await expect(page.get_by_role("heading", name="Жоба 3")).to_be_visible()
            await context.set_offline(False)
            await page.screenshot(path=screenshots / "resident-07-offline.png", full_page=True)
            kept = await page.evaluate("""() => caches.keys().then(names => Promise.all(names.map(name =>
                caches.open(name).then(cache => cache.keys())))).then(lists => lists.flat().map(r => r.url))""")
            assert f"{server.url}/projects/{c}" in kept
            # Never a ballot, its answer, a receipt page after voting or a sign-in step.
            assert not [url for url in kept if "/ballot" in url or "/signin" in url], kept

            # Signing out forgets the tokens.
            await page.goto("/")
            await page.get_by_role("button", name="Шығу").click()
            await expect(page.get_by_role("link", name="Кіру")).to_be_visible()
            await browser.close()
    assert outside == []


async def test_a_resident_proposes_an_idea_and_supports_another_from_a_phone(server, outbox, screenshots):
    from playwright.async_api import async_playwright, expect

    from mobile_api.site.deps import ACCESS_COOKIE, REFRESH_COOKIE

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        _, round_id = await ideas_round(api, "site-browser-ideas@almaty.kz", region=REGION)
        neighbours = await propose(api, await resident(api, outbox, REGION), round_id)
        me = await resident(api, outbox, REGION)

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = await kazakh_phone(browser, server.url)
            # Signed in as the site signs in (its cookies); the sign-in pages are the other test's.
            await context.add_cookies([{"name": name, "value": me[key], "url": server.url, "httpOnly": True}
                                       for name, key in ((ACCESS_COOKIE, "access_token"),
                                                         (REFRESH_COOKIE, "refresh_token"))])
            outside: list[str] = []
            context.on("request", lambda request: outside.append(request.url)
                       if not request.url.startswith((server.url, "data:")) else None)
            page = await context.new_page()

            await page.goto(f"/rounds/{round_id}")
            await page.get_by_role("link", name="Идея ұсыну").first.click()
            await expect(page).to_have_url(f"{server.url}/rounds/{round_id}/ideas/new")
            await page.get_by_label("Тақырыбы").fill("Аулаға орындықтар")
            await page.get_by_label("Не істеу керек және неге").fill(
                "Мектеп жанындағы аулада ата-аналарға отыратын орын жоқ.")
            await page.get_by_label("Санаты").select_option("yards")
            await page.get_by_label("Фото (міндетті емес)").set_input_files(
                {"name": "yard.png", "mimeType": "image/png", "buffer": photo_bytes()})
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "resident-ideas-01-form.png", full_page=True)
            await accessible(page)
            await page.get_by_role("button", name="Идеяны ұсыну").click()
            await expect(page).to_have_url(re.compile(re.escape(server.url) + r"/ideas/\d+$"))
            await expect(page.get_by_role("heading", name="Аулаға орындықтар")).to_be_visible()
            await expect(page.locator("img.photo")).to_be_visible()
            await no_sideways_scroll(page)
            await accessible(page)

            await page.goto(f"/rounds/{round_id}/ideas")
            card = page.locator(f"#idea-{neighbours['id']}")
            await expect(card.locator("[data-supports]")).to_have_text("0")
            await card.get_by_role("button", name="Қолдау").click()
            await expect(card.locator("[data-supports]")).to_have_text("1")
            await expect(card.get_by_role("button", name="Қолдауымды қайтарып алу")).to_be_visible()
            await no_sideways_scroll(page)
            await page.screenshot(path=screenshots / "resident-ideas-02-supported.png", full_page=True)
            await accessible(page)
            await browser.close()
    assert outside == []


# Chrome DevTools' "Slow 3G": 400 ms round trips, about 400 kbit/s each way.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 // 8,
           "uploadThroughput": 400 * 1024 // 8}


async def test_a_phone_on_slow_3g_reads_the_home_page_a_round_and_the_sign_in(server, outbox):
    """On a slow 3G link the pages arrive whole, with the ballot form's inputs and the sign-in form; the times
    are printed (a benchmark's figure, not a pass mark), the navigation timeout only bounds a hang."""
    from playwright.async_api import async_playwright, expect

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        staff = await staff_headers(api, "site-3g@almaly.kz", "Site-browser-2026", REGION)
        round_id, projects = await round_with_projects(api, staff, [10_000_000, 20_000_000, 30_000_000],
                                                       region=REGION)
        await open_now(round_id)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            # No service worker: its cache would answer from the phone and hide the network's slowness.
            context = await browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, is_mobile=True,
                                                extra_http_headers={"Accept-Language": "ru"},
                                                service_workers="block")
            page = await context.new_page()
            network = await context.new_cdp_session(page)
            await network.send("Network.enable")
            await network.send("Network.emulateNetworkConditions", SLOW_3G)
            timings = {}
            for name, address, shown in (("home", "/", "main h1"),
                                         ("round", f"/rounds/{round_id}", "input[name=project]"),
                                         ("sign-in", "/signin", "input[name=phone]")):
                await page.goto(address, wait_until="load", timeout=60_000)
                await expect(page.locator(shown).first).to_be_attached()
                timings[name] = await page.evaluate(
                    "() => Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)")
            await page.goto(f"/rounds/{round_id}", wait_until="load", timeout=60_000)
            await expect(page.locator("input[name=project]")).to_have_count(len(projects))
            print(f"slow 3G load (ms): {timings}")
            await browser.close()
