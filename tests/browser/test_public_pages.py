"""What a newcomer and a resident see in a browser: the interactive API page (served with no CDN) and a
project's public page, the one its QR poster points at."""

from __future__ import annotations

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import round_with_projects, staff_headers


async def test_the_api_page_works_offline_and_a_project_page_shows_its_qr(server, screenshots):
    import httpx
    from playwright.async_api import async_playwright, expect

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        staff = await staff_headers(api, "public-pages@almaly.kz", "Public-pass-2026", "751110000")
        _, (project,) = await round_with_projects(api, staff, [12_500_000], region="751110000")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        outside = []
        # Any request leaving 127.0.0.1 would fail on a closed government network: there must be none.
        context.on("request", lambda request: outside.append(request.url)
                   if not request.url.startswith((server.url, "data:")) else None)
        page = await context.new_page()
        await page.goto("/schema")
        await expect(page.get_by_text("/api/v1/rounds/{round_id}/ballot").first).to_be_visible()
        await expect(page.get_by_role("button", name="Authorize")).to_be_visible()
        await page.screenshot(path=screenshots / "20-api-page.png")

        kazakh = await browser.new_context(base_url=server.url, extra_http_headers={"Accept-Language": "kk"})
        project_page = await kazakh.new_page()
        await project_page.goto(f"/projects/{project}")
        await expect(project_page.get_by_role("heading", name="Жоба 1")).to_be_visible()
        await expect(project_page.get_by_text("12 500 000")).to_be_visible()
        qr = project_page.locator("img.qr")
        await expect(qr).to_be_visible()
        assert await qr.evaluate("image => image.naturalWidth") > 0
        await project_page.screenshot(path=screenshots / "21-project-page-kk.png")
        await browser.close()
    assert outside == []
