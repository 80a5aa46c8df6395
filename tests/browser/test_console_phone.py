"""The console on a phone (390 × 844: nothing scrolls sideways, targets are a finger's size) and its poster
printed: one A4 page in Kazakh and Russian whatever the member's language, with the resident page's QR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, console_sign_in, pdf_pages
from tests.helpers import resident, round_with_projects, staff_headers
from tests.integration.ideas.helpers import propose

REGION = "751910000"
EMAIL, PASSWORD = "browser-phone@turksib.kz", "browser-pass-3"
LONG = {"kk": "Түрксіб ауданындағы Майлин көшесі бойындағы ауладағы балалар алаңын, спорт алаңшасын және "
              "жаяу жүргіншілер жолын жөндеу, жарықтандыру мен абаттандыру",
        "ru": "Ремонт, освещение и благоустройство детской площадки, спортивной площадки и пешеходных дорожек "
              "во дворе по улице Майлина в Турксибском районе"}
PAGES = ("/console", "/console/rounds/{round}", "/console/rounds/{round}/edit", "/console/rounds/new",
         "/console/projects/{project}/edit", "/console/rounds/{round}/turnout", "/console/rounds/{round}/integrity",
         "/console/rounds/{round}/ideas", "/console/ideas/{idea}",
         "/console/rounds/{round}/results", "/console/audit", "/console/audit?since=bad", "/console/staff",
         "/console/staff/new", "/console/initiatives", "/console/account", "/console/projects/{project}/poster")


async def a_round(api) -> tuple[int, int]:
    """A round in its ideas phase (so that its ideas queue, with its map and charts, is a page too) with a
    project whose title is long in both languages."""
    headers = await staff_headers(api, EMAIL, PASSWORD, REGION)
    now = datetime.now(UTC)
    round_id, _ = await round_with_projects(
        api, headers, [15_000_000], region=REGION, rule="mes-add1",
        ideas_opens_at=(now - timedelta(minutes=1)).isoformat(), ideas_closes_at=(now + timedelta(hours=1)).isoformat(),
        voting_opens_at=(now + timedelta(hours=2)).isoformat())
    project = await api.post(f"/api/v1/admin/rounds/{round_id}/projects", headers=headers,
                             json={"title": LONG, "cost": 18_500_000})
    assert project.status_code == 201, project.text
    return round_id, project.json()["id"]


async def test_console_pages_fit_a_phone(server, outbox, screenshots):
    from playwright.async_api import async_playwright

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        round_id, project_id = await a_round(api)
        idea = await propose(api, await resident(api, outbox, REGION), round_id, title=LONG["ru"][:120])
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844},
                                            is_mobile=True, has_touch=True, locale="ru-RU")
        page = await context.new_page()
        await page.goto("/console/sign-in")
        assert await page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        await console_sign_in(page, EMAIL, PASSWORD, "kk")
        for path in PAGES:
            answer = await page.goto(path.format(round=round_id, project=project_id, idea=idea["id"]))
            assert answer.ok, f"{path}: {answer.status}"
            wide = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
            assert wide[0] <= wide[1], f"{path} is {wide[0]} px wide on a {wide[1]} px screen"
            # Links and buttons of the page's chrome and forms are at least 44 px tall.
            small = await page.evaluate("""[...document.querySelectorAll('.top nav a, main button, main .button')]
                .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44).map(e => e.outerHTML)""")
            assert not small, f"{path}: {small[:3]}"
        await page.goto(f"/console/rounds/{round_id}")
        await page.screenshot(path=screenshots / "12-round-on-a-phone.png", full_page=True)
        await page.goto("/console/audit")
        await page.screenshot(path=screenshots / "13-audit-on-a-phone.png", full_page=True)
        await browser.close()


async def test_the_poster_prints_on_one_a4_page_in_kazakh_and_russian(server, screenshots):
    from playwright.async_api import async_playwright, expect

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        _, project_id = await a_round(api)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        # The member reads the console in English; the poster is still Kazakh and Russian.
        await console_sign_in(page, EMAIL, PASSWORD, "en")
        await page.goto(f"/console/projects/{project_id}/poster")
        kk, ru = page.locator('.side[lang="kk"]'), page.locator('.side[lang="ru"]')
        await expect(kk.locator("h1")).to_have_text(LONG["kk"])
        await expect(ru.locator("h1")).to_have_text(LONG["ru"])
        for side, words in ((kk, ("Құны", "Түрксіб ауданы")), (ru, ("Стоимость", "Турксибский район"))):
            for word in words:
                await expect(side).to_contain_text(word)
        await expect(page.locator('.scan[lang="kk"]')).to_contain_text("сканерлеңіз")
        await expect(page.locator('.scan[lang="ru"]')).to_contain_text("проголосовать")
        await expect(kk).to_contain_text("18 500 000 ₸")
        await expect(ru).to_contain_text("18\xa0500\xa0000 ₸")
        link = f"http://dauys.test/projects/{project_id}"
        await expect(page.locator(".qr .code")).to_have_attribute("data-link", link)
        await expect(page.locator(".qr .code svg")).to_be_visible()
        await page.emulate_media(media="print")
        pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
        (screenshots / "15-poster-long-title.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 1
        # The counter counts: the same sheet with its height let loose takes two pages.
        await page.add_style_tag(content=".sheet { height: auto !important; } h1 { font-size: 60pt !important; "
                                         "-webkit-line-clamp: none !important; }")
        assert pdf_pages(await page.pdf(prefer_css_page_size=True)) >= 2
        await browser.close()


async def test_a_page_of_the_audit_log_is_a_normal_page(server, screenshots):
    """Created rounds are the heaviest entries (twenty fields, texts in three languages): a page of them is a
    few screens tall, not tens of thousands of pixels."""
    from playwright.async_api import async_playwright

    from core import audit
    from core.regions import region_path
    from infra.database import write_transaction

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        await staff_headers(api, EMAIL, PASSWORD, REGION)
    text = "Абаттандыру және жарықтандыру. " * 20
    async with write_transaction():
        for number in range(30):
            await audit.record("scheduler", "round.create", f"round:{900000 + number}", await region_path(REGION),
                               None, {"title": {"kk": f"Қатысу бюджеті {number}", "ru": f"Бюджет участия {number}"},
                                      "description": {"kk": text, "ru": text, "en": text}, "region": REGION,
                                      "budget": 50_000_000, "rule": "mes", "min_age": 18, "auto_publish": True,
                                      "vote": {"method": "approval", "min_choices": 1, "max_choices": 3},
                                      "voting_opens_at": "2026-12-01T05:00:00+00:00",
                                      "voting_closes_at": "2026-12-20T05:00:00+00:00"})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for width, height, most in ((1280, 900, 4000), (390, 844, 7500)):
            context = await browser.new_context(base_url=server.url, viewport={"width": width, "height": height})
            page = await context.new_page()
            await console_sign_in(page, EMAIL, PASSWORD, "ru")
            await page.goto("/console/audit?action=round.create")
            assert await page.locator("tr[id^=entry-]").count() == 25
            tall = await page.evaluate("document.scrollingElement.scrollHeight")
            print(f"audit log, 25 created rounds at {width} px: {tall} px tall")
            await page.screenshot(path=screenshots / f"14-audit-{width}.png", full_page=True)
            assert tall <= most
            await context.close()
        await browser.close()
