"""What every console page needs: the signed-in staff member from the session cookie, and rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.response import Template

from admin.console.i18n import LANGUAGES, Formats, translations
from admin.sessions import COOKIE, read_session, update_session
from admin.staff import SUPERUSER, get_staff, require_scope
from budgets.records import ProjectRecord, RoundRecord
from budgets.rounds import get_project, get_round
from core.regions import region_names
from infra.errors import NotAuthenticated
from infra.http import preferred_language
from infra.stores import Store

# Pages a member who must first set up two-factor sign-in may still open.
ENROLMENT_PATHS = ("/console/account/two-factor", "/console/sign-out")


class SignInRequired(Exception):
    """No live session: the console sends the browser to the sign-in page."""


class EnrolmentRequired(Exception):
    """Production admins set up two-factor sign-in before anything else."""


def request_language(request: Request) -> str:
    chosen = request.query_params.get("lang")
    return chosen if chosen in LANGUAGES else preferred_language(request.headers.get("accept-language"))


def render(language: str, template: str, status_code: int = 200, fmt: Formats | None = None,
           **context: Any) -> Template:
    catalogue = translations(language)
    return Template(
        template_name=f"console/{template}",
        status_code=status_code,
        context={"_": catalogue.gettext, "ngettext": catalogue.ngettext, "lang": language,
                 "fmt": fmt or Formats(language), **context},
    )


@dataclass
class Console:
    member: dict
    token: str
    session: dict
    store: Store
    # KATO code -> name, so that every page names regions through `fmt` (Formats.region).
    regions: dict[str, dict] = field(default_factory=dict)
    language: str = field(init=False)
    fmt: Formats = field(init=False)

    def __post_init__(self) -> None:
        self.language = self.member["language"] if self.member["language"] in LANGUAGES else "ru"
        self.fmt = Formats(self.language, self.regions)

    @property
    def actor(self) -> str:
        return f"staff:{self.member['id']}"

    @property
    def is_admin(self) -> bool:
        return self.member["role"] in ("admin", SUPERUSER)

    def may(self, roles: tuple[str, ...]) -> bool:
        """Whether the member's role is one of `roles` (what to offer; the handlers check with require_scope)."""
        return self.member["role"] in roles or self.member["role"] == SUPERUSER

    async def confirm(self, message: str, **values: Any) -> None:
        """A confirmation of what a form did, shown once on the page its POST redirects to."""
        text = self._(message)
        self.session["notice"] = text % values if values else text
        await update_session(self.store, self.token, self.session)

    def page(self, template: str, status_code: int = 200, **context: Any) -> Template:
        notice = self.session.pop("notice", None)
        page = render(self.language, template, status_code, self.fmt, me=self.member, notice=notice, **context)
        if notice:
            # Shown once: the session forgets it as soon as the page has gone out.
            page.background = BackgroundTask(update_session, self.store, self.token, self.session)
        return page

    def _(self, message: str) -> str:
        return translations(self.language).gettext(message)

    async def round(self, round_id: int, roles: tuple[str, ...] = ("admin",)) -> RoundRecord:
        """A round the member may act on in one of `roles` (the region rule, audited when refused)."""
        round_ = await get_round(round_id)
        await require_scope(self.member, round_.region, roles, target=f"round:{round_id}")
        return round_

    async def project(self, project_id: int, roles: tuple[str, ...] = ("admin",)
                      ) -> tuple[ProjectRecord, RoundRecord]:
        project = await get_project(project_id)
        round_ = await get_round(project.round_id)
        await require_scope(self.member, round_.region, roles, target=f"project:{project_id}")
        return project, round_


async def provide_console(request: Request, store: NamedDependency[Store]) -> Console:
    token = request.cookies.get(COOKIE)
    session = await read_session(store, token)
    if session is None:
        raise SignInRequired()
    try:
        member = await get_staff(session["staff_id"], session.get("generation", 0))
    except NotAuthenticated as exc:
        raise SignInRequired() from exc
    console = Console(member, token or "", session, store, await region_names())
    # The error pages speak the member's language too.
    request.state.console_language = console.language
    if session.get("must_enrol") and not member["totp_secret"] and not request.url.path.startswith(ENROLMENT_PATHS):
        raise EnrolmentRequired()
    return console
