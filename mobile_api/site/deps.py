"""What every page of the resident site needs: who is reading (the resident's tokens in http-only cookies,
renewed with the refresh token when the access token has expired), in which language, and rendering."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwe
from joserfc.jwk import OctKey
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from core.residents import ResidentRecord, get_resident
from infra import tokens
from infra.errors import NotAuthenticated
from infra.http import Client, request_address
from infra.settings import Settings
from mobile_api.auth import ResidentAuth, TokenPair
from mobile_api.site.i18n import NAMES, Formats, request_language, translations
from notify.feed import unread_count

ACCESS_COOKIE = "dauys_resident"
REFRESH_COOKIE = "dauys_refresh"
DEVICE_COOKIE = "dauys_device"
DEVICE_TTL = 2 * 365 * 24 * 3600
# Pages asked for together with one expired access token share one renewal, kept this long.
RENEWAL_SECONDS = 30
RENEWAL_WAITS = 30


def _cookie(settings: Settings, key: str, value: str, max_age: int) -> Cookie:
    return Cookie(key=key, value=value, path="/", httponly=True, samesite="lax", secure=settings.env == "prod",
                  max_age=max_age)


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an address elsewhere (an open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@dataclass
class Visitor:
    request: Request
    settings: Settings
    language: str
    resident: ResidentRecord | None = None
    cookies: list[Cookie] = field(default_factory=list)
    # The signed-in resident's unread notifications, shown beside the menu's link to them.
    unread: int = 0

    @property
    def signed_in(self) -> bool:
        return self.resident is not None

    @property
    def registered(self) -> bool:
        return self.resident is not None and self.resident.iin_hash is not None

    @property
    def client(self) -> Client:
        """The caller for rate limits: its address and this browser (a cookie), as the app sends X-Device-Id."""
        return Client(address=request_address(self.request), device=self.request.cookies.get(DEVICE_COOKIE))

    def _(self, message: str) -> str:
        return translations(self.language).gettext(message)

    def sign_in(self, pair: TokenPair) -> None:
        self.cookies += [_cookie(self.settings, ACCESS_COOKIE, pair.access_token, self.settings.refresh_token_ttl),
                         _cookie(self.settings, REFRESH_COOKIE, pair.refresh_token, self.settings.refresh_token_ttl)]

    def sign_out(self) -> None:
        self.resident = None
        self.cookies += [_cookie(self.settings, ACCESS_COOKIE, "", 0), _cookie(self.settings, REFRESH_COOKIE, "", 0)]

    def page(self, template: str, status_code: int = 200, headers: dict[str, str] | None = None,
             **context: Any) -> Template:
        catalogue = translations(self.language)
        return Template(
            template_name=f"site/{template}",
            status_code=status_code,
            headers=headers,
            cookies=self.cookies,
            context={"_": catalogue.gettext, "ngettext": catalogue.ngettext, "lang": self.language,
                     "languages": NAMES, "fmt": Formats(self.language), "me": self.resident,
                     "here": self.request.url.path, "unread": self.unread, **context},
        )

    def redirect(self, target: str) -> Redirect:
        return Redirect(target, status_code=303, cookies=self.cookies)


def _renewal_names(refresh: str) -> tuple[str, OctKey]:
    """Where a renewal by this refresh token is kept, and the key it is sealed with: both come from the token,
    which the store never sees, so a copy of the store opens no sign-in."""
    name = hashlib.sha256(f"site-renewal-name\x1f{refresh}".encode()).hexdigest()
    key = OctKey.import_key(hashlib.sha256(f"site-renewal-key\x1f{refresh}".encode()).digest())
    return name, key


async def _renew(settings: Settings, request: Request, visitor: Visitor) -> int | None:
    """New tokens for an expired access token. A refresh token works once, and one presented twice ends its
    sign-in (mobile_api.auth); a browser that opens two pages at once sends the same one twice. So the first
    request renews, and the others in the next seconds get the same new tokens, sealed in the store."""
    refresh = request.cookies.get(REFRESH_COOKIE)
    if not refresh or len(refresh) > 200:
        return None
    store = request.app.state.store
    name, key = _renewal_names(refresh)
    if await store.incr(f"site:renewing:{name}", RENEWAL_SECONDS) == 1:
        try:
            pair = await ResidentAuth(settings, store, request.app.state.sms).refresh(refresh)
        except NotAuthenticated:
            await store.set(f"site:renewed:{name}", b"-", RENEWAL_SECONDS)
            return None
        sealed = jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, json.dumps(
            [pair.access_token, pair.refresh_token, pair.expires_in]).encode(), key)
        await store.set(f"site:renewed:{name}", sealed.encode(), RENEWAL_SECONDS)
    else:
        for _ in range(RENEWAL_WAITS):
            raw = await store.get(f"site:renewed:{name}")
            if raw is not None:
                break
            await asyncio.sleep(0.1)
        else:
            return None
        if raw == b"-":
            return None
        access, renewed, expires_in = json.loads(jwe.decrypt_compact(raw.decode(), key).plaintext)
        pair = TokenPair(access, renewed, expires_in)
    visitor.sign_in(pair)
    return tokens.verify(settings.secret_key, tokens.RESIDENT, f"Bearer {pair.access_token}").id


async def provide_visitor(request: Request) -> Visitor:
    settings: Settings = request.app.state.settings
    visitor = Visitor(request, settings, request_language(request))
    # The device cookie keys this browser's rate limits (principle 6), as X-Device-Id does for the app.
    if not request.cookies.get(DEVICE_COOKIE):
        visitor.cookies.append(_cookie(settings, DEVICE_COOKIE, secrets.token_urlsafe(16), DEVICE_TTL))
    access = request.cookies.get(ACCESS_COOKIE)
    resident_id: int | None = None
    if access:
        try:
            resident_id = tokens.verify(settings.secret_key, tokens.RESIDENT, f"Bearer {access}").id
        except NotAuthenticated:
            resident_id = None
    if resident_id is None and request.cookies.get(REFRESH_COOKIE):
        resident_id = await _renew(settings, request, visitor)
        if resident_id is None:
            visitor.sign_out()
    if resident_id is not None:
        try:
            visitor.resident = await get_resident(resident_id)
        except NotAuthenticated:
            visitor.sign_out()
        else:
            visitor.unread = await unread_count(resident_id)
    request.state.site_language = visitor.language
    return visitor
