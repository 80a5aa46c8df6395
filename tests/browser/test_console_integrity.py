"""An akimat moderator looks into a burst of ballots in the console and quarantines one, in a real browser
against a real `dauys serve`. The screenshot goes to artifacts/screenshots/11-integrity.png."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, console_sign_in
from tests.helpers import open_now, round_with_projects, staff_headers

REGION = "751110000"
EMAIL, PASSWORD = "browser-moderator@almaly.kz", "browser-pass-2"
REASON = "Checked: 120 voters on one phone within five minutes."


async def scripted_burst(api) -> tuple[int, list[int]]:
    """A voting round that receives 120 ballots from one device and one address within five minutes."""
    from budgets import integrity
    from budgets.tables import Ballot

    staff = await staff_headers(api, "browser-integrity-admin@almaly.kz", PASSWORD, REGION)
    round_id, projects = await round_with_projects(api, staff, [10_000_000, 20_000_000], region=REGION)
    await open_now(round_id)
    current = integrity.window_of(datetime.now(UTC)) - integrity.WINDOW
    await Ballot.insert(*[
        Ballot(round=round_id, voter=f"browser-stuffed-{i}", revision=1, receipt=f"browser-burst-{round_id}-{i}",
               choices=[[projects[0], 1]], cast_at=current + timedelta(seconds=i * 2), status="counted",
               device="5f1c0a9e2b7d4c31", origin="a83e61d09b44f2c7") for i in range(120)
    ])
    await integrity.detect_anomalies()
    rows = await Ballot.select(Ballot.id).where(Ballot.receipt.like(f"browser-burst-{round_id}-%")).order_by(Ballot.id)
    return round_id, [row["id"] for row in rows]


async def test_a_moderator_quarantines_a_ballot_of_a_burst(server, screenshots):
    from playwright.async_api import async_playwright, expect

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        await staff_headers(api, EMAIL, PASSWORD, REGION, role="moderator")
        round_id, burst = await scripted_burst(api)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900},
                                            locale="ru-RU")
        page = await context.new_page()
        await console_sign_in(page, EMAIL, PASSWORD)
        await expect(page).to_have_url(f"{server.url}/console")

        # From the round's page to its integrity page, where the burst is listed.
        await page.goto(f"/console/rounds/{round_id}")
        await page.click("a.button:has-text('Честность подсчёта')")
        await expect(page).to_have_url(f"{server.url}/console/rounds/{round_id}/integrity")
        anomalies = page.locator("table.anomalies tbody tr")
        await expect(anomalies).to_have_count(3)
        await expect(page.locator("table.anomalies")).to_contain_text("Много голосующих с одного устройства")
        await page.locator("table.anomalies tr", has_text="Много голосующих с одного устройства") \
            .get_by_role("link", name="Бюллетени").click()
        await expect(page.locator("table.ballots tbody tr")).to_have_count(120)

        # Without a reason nothing changes: the error is beside the field.
        row = page.locator(f"#ballot-{burst[0]}")
        await row.get_by_role("button", name="Применить").click()
        error = page.locator(f"#reason-{burst[0]}-error")
        await expect(error).to_have_text("слишком коротко")
        assert (await error.bounding_box())["height"] > 10  # shown, not only read out like the row's labels
        await expect(page.locator(f"#ballot-{burst[0]} .status")).to_have_text("учтён")

        await page.select_option(f"#action-{burst[0]}", "quarantine")
        await page.fill(f"#reason-{burst[0]}", REASON)
        await page.locator(f"#ballot-{burst[0]}").get_by_role("button", name="Применить").click()
        await expect(page.locator(".notice")).to_have_text(f"Бюллетень {burst[0]} теперь на карантине.")
        await expect(page.locator(f"#ballot-{burst[0]} .status")).to_have_text("на карантине")
        await expect(page.locator(f"#ballot-{burst[0]}")).to_contain_text(REASON)
        # The page opens at the reviewed row; the picture shows it from the top, the confirmation first.
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=screenshots / "11-integrity.png")
        await browser.close()

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        public = (await api.get(f"/api/v1/rounds/{round_id}/invalidations")).json()
    assert [(item["status"], item["reason"]) for item in public] == [("quarantined", REASON)]
