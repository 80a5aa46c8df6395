"""The akimat console at /console: server-rendered pages in kk, ru and en for staff in their region."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from admin.console.audit_pages import AuditPages
from admin.console.auth_pages import AccountController, SignInController
from admin.console.deps import provide_console
from admin.console.errors import EXCEPTION_HANDLERS
from admin.console.idea_pages import IdeaPages
from admin.console.initiative_pages import InitiativePages, RegionSettingsPages
from admin.console.integrity_pages import IntegrityPages
from admin.console.notification_pages import NotificationPages
from admin.console.project_pages import ProjectPages
from admin.console.round_pages import RoundPages
from admin.console.staff_pages import StaffPages
from admin.console.turnout_pages import TurnoutPages
from infra.settings import Settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"


def console_router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            SignInController, AccountController, RoundPages, TurnoutPages, IntegrityPages, ProjectPages, StaffPages,
            AuditPages, NotificationPages, IdeaPages, InitiativePages, RegionSettingsPages,
            create_static_files_router(path="/console/static", directories=[STATIC], include_in_schema=False),
        ],
        # Uploaded files come from the app-wide "storage" dependency (infra.http), as the API's do.
        dependencies={"console": Provide(provide_console)},
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )


def console_csrf(settings: Settings) -> CSRFConfig:
    """CSRF protection for console forms; the API authenticates with bearer tokens and is left out."""
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name="dauys_csrf",
        cookie_path="/console",
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=settings.env == "prod",
        exclude=[r"^/api/", r"^/schema", r"^/static/", r"^/projects/"],
    )
