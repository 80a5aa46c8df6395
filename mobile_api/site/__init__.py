"""The resident site at /: server-rendered pages in kk, ru and en for residents on any phone browser.

Part of the resident face, beside the API it mirrors (as admin/console is beside the staff API): the same
services, sign-in tokens kept in http-only cookies, and its own CSRF check on its forms. The console's
app-wide CSRF check is switched off here (`exclude_from_csrf`), and this one runs only on the site's routes,
so the JSON API (bearer tokens, no cookies) is touched by neither.
"""

from __future__ import annotations

import json
from pathlib import Path

from litestar import Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.static_files import create_static_files_router

from infra.settings import Settings
from mobile_api.site.deps import provide_visitor
from mobile_api.site.errors import EXCEPTION_HANDLERS
from mobile_api.site.idea_pages import IdeaPages, MyIdeasPage, RoundIdeasPages
from mobile_api.site.initiative_pages import InitiativePages
from mobile_api.site.notify_pages import FollowButtons, NotificationPages
from mobile_api.site.pages import HomePage, MyBallotsPage, ProjectPage, ReceiptPages, RoundPages, SignInPages
from mobile_api.site.photos import NoPhotos, ProjectPhotos

STATIC = Path(__file__).resolve().parent / "static"
SITE_CSRF_COOKIE = "dauys_site_csrf"
# The key a route's `opt` uses to skip this check; the console's check has its own ("exclude_from_csrf").
SITE_CSRF_OPT = "exclude_from_site_csrf"

MANIFEST = {
    "name": "Dauys",
    "short_name": "Dauys",
    "description": "Қатысу бюджеті · Бюджет участия",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#0b5fa5",
    "icons": [
        {"src": "/site/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        {"src": "/site/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/site/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
    ],
}


@get("/manifest.webmanifest", include_in_schema=False, opt={SITE_CSRF_OPT: True})
async def manifest() -> Response[bytes]:
    return Response(json.dumps(MANIFEST, ensure_ascii=False).encode(), media_type="application/manifest+json",
                    headers={"Cache-Control": "public, max-age=86400"})


@get("/sw.js", include_in_schema=False, opt={SITE_CSRF_OPT: True})
async def service_worker() -> Response[bytes]:
    # Served from / so that its scope is the whole site; never cached long, so a new version takes over.
    return Response((STATIC / "sw.js").read_bytes(), media_type="text/javascript",
                    headers={"Cache-Control": "no-cache"})


def site_csrf(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name=SITE_CSRF_COOKIE,
        cookie_path="/",
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=settings.env == "prod",
        exclude_from_csrf_key=SITE_CSRF_OPT,
    )


def site_router(settings: Settings, photos: ProjectPhotos | None = None) -> Router:
    photos = photos or NoPhotos()
    return Router(
        path="/",
        route_handlers=[
            HomePage, SignInPages, RoundPages, ReceiptPages, ProjectPage, InitiativePages, RoundIdeasPages,
            IdeaPages, MyIdeasPage, MyBallotsPage, NotificationPages, FollowButtons, manifest, service_worker,
            create_static_files_router(path="/site/static", directories=[STATIC], name="site-static",
                                       include_in_schema=False, opt={SITE_CSRF_OPT: True}),
        ],
        dependencies={
            "visitor": Provide(provide_visitor),
            "photos": Provide(lambda: photos, sync_to_thread=False),
        },
        middleware=[DefineMiddleware(CSRFMiddleware, config=site_csrf(settings))],
        exception_handlers=EXCEPTION_HANDLERS,
        # The console's app-wide CSRF check (its cookie lives under /console) stays out of the site.
        opt={"exclude_from_csrf": True},
        include_in_schema=False,
    )
