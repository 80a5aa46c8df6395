"""The application factory: routes, error answers, OpenAPI, templates and the lifespan of shared parts."""

from __future__ import annotations

import gc
import logging
import logging.config
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import mkdocs_swagger_ui_tag
from litestar import Litestar
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from admin.console import TEMPLATES as CONSOLE_TEMPLATES
from admin.console import console_csrf, console_router
from admin.idea_routes import IdeaReviewController
from admin.identity_routes import IdentityController
from admin.initiative_routes import AdminInitiativeController, RegionSettingsController
from admin.routes import AdminController, StaffSessionController
from infra import database
from infra.hardening import InputGuard, security_headers
from infra.http import DEPENDENCIES
from infra.logs import RequestIds, logging_config
from infra.metrics import MetricsController, process_stopped, prometheus_config
from infra.problems import EXCEPTION_HANDLERS
from infra.push import make_push
from infra.ratelimit import RateLimiter
from infra.settings import Settings, get_settings
from infra.sms import make_sender
from infra.storage import make_storage
from infra.stores import make_store
from mobile_api.auth_routes import MeController, ResidentAuthController
from mobile_api.idea_routes import IdeaController, MyIdeasController, RoundIdeasController
from mobile_api.initiative_routes import InitiativeController, MyInitiativesController
from mobile_api.intake import BallotIntake
from mobile_api.notify_routes import (
    FollowController,
    NotificationController,
    PreferencesController,
    PushController,
    PushKeyController,
)
from mobile_api.public import TEMPLATES as RESIDENT_TEMPLATES
from mobile_api.public import ProjectPublicController
from mobile_api.rounds_routes import (
    BallotController,
    MyBallotsController,
    ReceiptController,
    RegionController,
    RoundController,
)
from mobile_api.site import site_router
from server.health import HealthController
from server.openapi import SECURITY_SCHEMES, document
from server.scheduler import start_scheduler
from server.site_photos import StoredPhotos

MAX_BODY_BYTES = 64 * 1024
SWAGGER_ASSETS = Path(mkdocs_swagger_ui_tag.__file__).parent / "swagger-ui"


async def start_services(app: Litestar, settings: Settings, run_scheduler: bool) -> None:
    """What each process holds while it serves: the database pool, the store, the SMS sender, the scheduler."""
    await database.start()
    app.state.settings = settings
    app.state.store = make_store(settings.redis_url, settings.redis_prefix)
    app.state.limiter = RateLimiter(app.state.store)
    app.state.storage = make_storage()
    app.state.intake = BallotIntake(settings.secret_key, app.state.limiter)
    app.state.sms = make_sender(settings.sms_backend)
    app.state.push = make_push(settings.vapid_private_key, settings.vapid_subject)
    app.state.scheduler = (start_scheduler(settings, app.state.store, app.state.sms, app.state.push)
                           if run_scheduler else None)
    # What exists now lives as long as the process: keep the collector from walking it again and again
    # while requests come in.
    gc.collect()
    gc.freeze()


async def stop_services(app: Litestar) -> None:
    if app.state.scheduler:
        app.state.scheduler.shutdown(wait=False)
    await app.state.store.close()
    await database.stop()
    process_stopped()


def create_app(settings: Settings | None = None, run_scheduler: bool = True) -> Litestar:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await start_services(app, settings, run_scheduler)
        try:
            yield
        finally:
            await stop_services(app)

    openapi = OpenAPIConfig(
        title="Dauys API",
        version="1",
        description="Participatory budgeting and mobile voting for Kazakhstan's akimats. "
        "Errors are RFC 9457 problem documents (application/problem+json).",
        path="/schema",
        # Two bearer schemes, declared on the operations that need them; public operations need none.
        components=SECURITY_SCHEMES,
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url="/static/swagger-ui/javascripts/swagger-ui-bundle.js",
                css_url="/static/swagger-ui/stylesheets/swagger-ui.css",
                standalone_preset_js_url="/static/swagger-ui/javascripts/swagger-ui-standalone-preset.js",
                # Nothing on the page may come from the internet: closed government networks have none.
                favicon="<link rel='icon' href='data:,'>",
            )
        ],
    )
    # Prometheus sees each request first, so that a refused one is counted too.
    measured = [prometheus_config().middleware] if settings.metrics else []
    app = Litestar(
        route_handlers=[
            *([MetricsController] if settings.metrics else []),
            HealthController,
            RegionController,
            ResidentAuthController,
            MeController,
            NotificationController,
            PreferencesController,
            FollowController,
            PushKeyController,
            PushController,
            RoundController,
            BallotController,
            MyBallotsController,
            ReceiptController,
            InitiativeController,
            MyInitiativesController,
            StaffSessionController,
            AdminController,
            IdentityController,
            RoundIdeasController,
            IdeaController,
            MyIdeasController,
            IdeaReviewController,
            AdminInitiativeController,
            RegionSettingsController,
            ProjectPublicController,
            create_static_files_router(path="/static/swagger-ui", directories=[SWAGGER_ASSETS],
                                       include_in_schema=False),
            # The akimat console (admin/console): its pages, its session cookie and CSRF-checked forms.
            console_router(),
            # The resident site (mobile_api/site): its pages at /, the residents' token cookies, its own CSRF check.
            site_router(settings, StoredPhotos()),
        ],
        csrf_config=console_csrf(settings),
        middleware=[RequestIds, *measured, InputGuard],
        before_send=[security_headers(production=settings.env == "prod")],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        template_config=TemplateConfig(directory=[RESIDENT_TEMPLATES, CONSOLE_TEMPLATES],
                                       engine=JinjaTemplateEngine),
        lifespan=[lifespan],
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,
        debug=False,
    )
    document(app)
    return app


def create_default_app() -> Litestar:
    """Entry point for `uvicorn --factory server.app:create_default_app` in each worker."""
    # The CLI configured WARNING for its own commands; a server reports what its scheduler does.
    settings = get_settings()
    logging.config.dictConfig(logging_config(settings.log_format))
    logging.getLogger("dauys").info("database: %s", settings.database_location)
    return create_app(settings)
