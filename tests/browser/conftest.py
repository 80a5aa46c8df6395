"""Browser tests drive Debian's /usr/bin/chromium through Playwright; without them they are skipped."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


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


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


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
