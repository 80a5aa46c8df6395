"""Browser tests drive Debian's /usr/bin/chromium through Playwright; without them they are skipped."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE_VIEWPORT = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    reason = None
    if not CHROMIUM.exists():
        reason = "needs Debian's chromium at /usr/bin/chromium (scripts/test.sh installs it: apt-get install chromium)"
    elif importlib.util.find_spec("playwright") is None:
        reason = "needs Playwright for Python: pip install -e '.[browser]'"
    here = Path(__file__).parent
    # This hook sees every collected test, not only this folder's: touch only the browser tests.
    for item in (i for i in items if here in Path(i.path).parents):
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def server(migrated_database, work_dir):
    """A real `dauys serve` on the suite's database, its scheduler running each second."""
    from tests.servers import Server

    running = Server(work_dir).start()
    yield running
    running.stop()


async def kazakh_phone(browser, url: str):
    """A browser context as a resident's phone: 390×844, touch, reading Kazakh."""
    return await browser.new_context(base_url=url, viewport=PHONE_VIEWPORT, locale="kk-KZ",
                                     extra_http_headers={"Accept-Language": "kk"}, is_mobile=True, has_touch=True)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


async def accessible(page) -> None:
    """axe-core finds no critical or serious violation on the page as it stands."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    grave = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
             if v["impact"] in ("critical", "serious")]
    assert grave == [], (page.url, grave)


async def no_sideways_scroll(page) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"], page.url


async def console_sign_in(page, email: str, password: str, language: str | None = None) -> None:
    """Sign in to the console through its sign-in page (in `language` when given, as its links choose)."""
    from playwright.async_api import expect

    await page.goto("/console/sign-in" + (f"?lang={language}" if language else ""))
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await expect(page.locator("header.top")).to_be_visible()


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF that Chromium printed: it writes each page's dictionary as plain text ("/Type /Page";
    the page tree's root is "/Pages")."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
