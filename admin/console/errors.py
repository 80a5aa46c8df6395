"""Console errors as pages a person can act on (the API answers problem documents instead)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.response import Redirect

from admin.console.deps import EnrolmentRequired, SignInRequired, render, request_language
from infra import errors as domain
from infra.i18n import N_
from infra.problems import localized_detail, status_of

log = logging.getLogger("dauys.console")

TITLES = {
    400: N_("The request could not be read"),
    401: N_("Please sign in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    409: N_("Not possible now"),
    413: N_("The file is too large"),
    422: N_("Not possible"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("Please try again in a moment"),
}


def _language(request: Request) -> str:
    return getattr(request.state, "console_language", None) or request_language(request)


def _page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None):
    template = render(_language(request), "error.html.jinja", status, status=status,
                      title=TITLES.get(status, TITLES[500]), detail=detail)
    if headers:
        template.headers.update(headers)
    return template


def sign_in_required(request: Request, _: SignInRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/console/sign-in?next={quote(target, safe='')}", status_code=303)


def enrolment_required(_: Request, __: EnrolmentRequired) -> Response:
    return Redirect("/console/account/two-factor", status_code=303)


def domain_error(request: Request, exc: domain.DomainError):
    headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else None
    return _page(request, status_of(exc), localized_detail(exc, _language(request)), headers)


def http_error(request: Request, exc: HTTPException):
    status = exc.status_code
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        detail = N_("The form was open too long or came from another site. Go back, reload the page and try again.")
    elif status >= 500:
        log.error("console error %s: %s", status, exc.detail, exc_info=exc)
        detail = ""
    else:
        detail = ""
    return _page(request, status, detail)


def unexpected_error(request: Request, exc: Exception):
    log.exception("unhandled console error on %s %s", request.method, request.url.path)
    return _page(request, 500, "")


EXCEPTION_HANDLERS = {
    SignInRequired: sign_in_required,
    EnrolmentRequired: enrolment_required,
    domain.DomainError: domain_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
