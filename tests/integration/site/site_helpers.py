"""Driving the resident site as a phone browser without JavaScript would, through the test client: its own
cookie jar, the CSRF field of the page a form is on, forms that post and redirect."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import last_code, make_iin, new_phone

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
RECEIPT = re.compile(r'data-receipt="([^"]+)"')
LANG = re.compile(r'<html lang="(\w+)">')


def csrf_of(page_text: str) -> str:
    match = CSRF_FIELD.search(page_text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def receipt_of(page_text: str) -> str:
    match = RECEIPT.search(page_text)
    assert match, "the page shows no receipt"
    return match.group(1)


class Browser:
    """One phone's browser: the cookies it was given, nothing else (the shared client's jar is emptied)."""

    def __init__(self, client, language: str = "kk"):
        self.client = client
        self.cookies: dict[str, str] = {}
        self.headers = {"Accept-Language": language}

    async def _send(self, method: str, path: str, **kwargs):
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)
        try:
            answer = await self.client.request(method, path, headers={**self.headers, **kwargs.pop("headers", {})},
                                               **kwargs)
        finally:
            self.client.cookies.clear()
        for name, value in answer.cookies.items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        # A cookie set to expire (max-age 0) arrives with an empty value or not at all in the jar.
        for header in answer.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            if rest.startswith('""') or rest.startswith(";") or "Max-Age=0" in header:
                self.cookies.pop(name, None)
        return answer

    async def get(self, path: str, **kwargs):
        return await self._send("GET", path, **kwargs)

    async def post(self, path: str, data: dict | list, form_page: str, files: dict | None = None):
        """POST a form with the CSRF token of the page it is on (multipart when it has `files`)."""
        page = await self.get(form_page)
        token = csrf_of(page.text)
        fields: dict[str, list[str]] = {}
        for name, value in (data.items() if isinstance(data, dict) else data):
            fields.setdefault(name, []).append(value)
        return await self._send("POST", path, data={**fields, "_csrf_token": token}, files=files)

    async def follow(self, answer):
        assert answer.status_code == 303, (answer.status_code, answer.text[:500])
        return await self.get(answer.headers["location"])


async def sign_in(browser: Browser, outbox: Path, phone: str | None = None, next_path: str = "/"):
    phone = phone or new_phone()
    sent = await browser.post("/signin", {"phone": phone, "next": next_path}, f"/signin?next={next_path}")
    assert sent.status_code == 200 and 'name="code"' in sent.text, sent.text[:800]
    answer = await browser._send("POST", "/signin", data={"phone": phone, "code": last_code(outbox, phone),
                                                          "next": next_path, "_csrf_token": csrf_of(sent.text)})
    assert answer.status_code == 303, answer.text[:800]
    return answer


async def registered(client, outbox: Path, region: str, born=None, language: str = "kk") -> Browser:
    from datetime import date

    browser = Browser(client, language)
    answer = await sign_in(browser, outbox)
    assert answer.headers["location"].startswith("/signin/residency")
    done = await browser.post("/signin/residency", {"iin": make_iin(born or date(1990, 5, 17)), "region": region,
                                                    "next": "/"}, "/signin/residency")
    assert done.status_code == 303 and done.headers["location"] == "/", done.text[:800]
    return browser
