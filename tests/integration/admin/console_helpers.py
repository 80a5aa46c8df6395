"""Driving the console as a browser would, through the test client: cookies, CSRF tokens and forms."""

from __future__ import annotations

import re

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(page_text: str) -> str:
    match = CSRF_FIELD.search(page_text)
    assert match, "the page has no CSRF field"
    return match.group(1)


class ConsoleSession:
    """A signed-in console user: its own cookie jar on the shared app client."""

    def __init__(self, client, cookies: dict[str, str]):
        self.client = client
        self.cookies = cookies

    async def _send(self, method: str, path: str, **kwargs):
        # The shared client keeps a cookie jar: empty it, so each session sends only its own cookies.
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)
        try:
            return await self.client.request(method, path, **kwargs)
        finally:
            self.client.cookies.clear()

    async def get(self, path: str, **kwargs):
        return await self._send("GET", path, **kwargs)

    async def post(self, path: str, data: dict | None = None, files=None, form_page: str | None = None, **kwargs):
        """POST a form with the CSRF token a page of the console gave (the sign-in page when none is named)."""
        page = await self.get(form_page or "/console/sign-in")
        self.cookies.update(dict(page.cookies.items()))
        body = {**(data or {}), "_csrf_token": csrf_of(page.text)}
        return await self._send("POST", path, data=body, files=files, **kwargs)


async def console_sign_in(client, email: str, password: str) -> ConsoleSession:
    session = ConsoleSession(client, {})
    answer = await session.post("/console/sign-in", {"email": email, "password": password})
    assert answer.status_code == 303, answer.text
    session.cookies.update(dict(answer.cookies.items()))
    assert "dauys_console" in session.cookies
    return session
