"""What every controller shares: the caller's language, the caller's identity, and app-wide services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import PathParameter

from infra import tokens
from infra.i18n import localized  # noqa: F401  (where the faces and domains have always found it)
from infra.ratelimit import RateLimiter, client_address
from infra.settings import Settings
from infra.sms import SmsSender
from infra.storage import FileStorage
from infra.stores import Store

LANGUAGES = ("kk", "ru", "en")
# Bounds that keep every number inside what the database stores, so no input can overflow it: ids are
# SERIAL (a 32-bit INTEGER in PostgreSQL, where a larger value fails before the query is even sent).
MAX_ID = 2**31 - 1
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15)]
SmallCount = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
# A text in kk, ru and en; long enough for a project description, short of abuse.
Texts = dict[ShortText, Annotated[str, msgspec.Meta(max_length=5000)]]
# A resident's own writing, bounded only against abuse: its real limits are the domain's rules (a 422 that
# names the field), not a decoding error.
Writing = Annotated[str, msgspec.Meta(max_length=20_000)]


def preferred_language(accept_language: str | None) -> str:
    """The first of kk, ru, en in the client's Accept-Language, by its q-values; ru when none is asked."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else "ru"


def provide_language(request: Request) -> str:
    return preferred_language(request.headers.get("accept-language"))


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_store(state: State) -> Store:
    return state.store


def provide_sms(state: State) -> SmsSender:
    return state.sms


@dataclass(frozen=True)
class Client:
    """Who is asking, as far as rate limits and anomaly checks may know: address and app installation."""

    address: str | None
    device: str | None


def request_address(request: Request) -> str | None:
    """The caller's address, behind the proxies DAUYS_TRUSTED_PROXIES names (infra.ratelimit.client_address)."""
    settings: Settings = request.app.state.settings
    return client_address(request.client.host if request.client else None,
                          request.headers.get("x-forwarded-for"), settings.trusted_proxies)


def provide_client(request: Request) -> Client:
    device = request.headers.get("x-device-id")
    return Client(address=request_address(request), device=device[:128] if device else None)


def provide_storage(state: State) -> FileStorage:
    return state.storage


def provide_limiter(state: State) -> RateLimiter:
    return state.limiter


def provide_resident(request: Request) -> tokens.Principal:
    settings: Settings = request.app.state.settings
    return tokens.verify(settings.secret_key, tokens.RESIDENT, request.headers.get("authorization"))


def provide_staff(request: Request) -> tokens.Principal:
    settings: Settings = request.app.state.settings
    return tokens.verify(settings.secret_key, tokens.STAFF, request.headers.get("authorization"))


DEPENDENCIES: dict[str, Any] = {
    "language": Provide(provide_language, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "store": Provide(provide_store, sync_to_thread=False),
    "sms": Provide(provide_sms, sync_to_thread=False),
    "client": Provide(provide_client, sync_to_thread=False),
    "limiter": Provide(provide_limiter, sync_to_thread=False),
    "storage": Provide(provide_storage, sync_to_thread=False),
}
RESIDENT = {"resident": Provide(provide_resident, sync_to_thread=False)}
STAFF = {"staff": Provide(provide_staff, sync_to_thread=False)}
# The OpenAPI security requirement of each kind of token (schemes in server/openapi.py).
RESIDENT_SECURITY: list[dict[str, list[str]]] = [{"resident": []}]
STAFF_SECURITY: list[dict[str, list[str]]] = [{"staff": []}]
