"""Errors as a resident reads them: in the page's language, beside the field or above the form, and error
pages for the rest (the JSON API answers problem documents instead)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException, ValidationException
from litestar.response import Template

from budgets.ballots import BallotRejected
from infra import errors as domain
from infra.i18n import N_
from infra.problems import localized_detail, route_of, status_of
from mobile_api.site.i18n import NAMES, Formats, request_language, translations

log = logging.getLogger("dauys.site")

TITLES = {
    400: N_("The request could not be read"),
    401: N_("Please sign in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    409: N_("Not possible now"),
    422: N_("Not possible"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("Please try again in a moment"),
}

# What each field's refusal means for a resident; the domain's own words are English and technical.
FIELD_MESSAGES = {
    "phone": N_("Enter a Kazakh mobile number, for example +7 701 234 56 78."),
    "iin": N_("The IIN is not valid: check its 12 digits."),
    "region": N_("Choose your district from the list."),
    "choices": N_("The ballot does not fit the round's rules: check how many projects you chose."),
    "title": N_("The title has 3 to 120 characters."),
    "text": N_("The description has 10 to 800 characters."),
    "category": N_("Choose a category from the list."),
    "location": N_("Give both latitude and longitude of a place in Kazakhstan, or neither."),
    "estimated_cost": N_("The cost is a whole number of tenge, more than zero."),
    "file": N_("The photo is a JPEG, PNG or WebP of at most 5 MB; an idea has at most 3 photos."),
}


def explain(exc: domain.DomainError, refusals: Mapping[type[domain.DomainError], str] | None = None,
            language: str | None = None) -> tuple[str, dict[str, str]]:
    """A refusal as (message above the form, {field: message}), both msgids to translate. `refusals` gives a
    page's own words for a kind of refusal (the defaults speak of voting). A refusal the site has no words of
    its own for says what the API's problem document says, in `language` (the page's; without one, only the
    status's title)."""
    fields = {}
    for error in exc.errors:
        name = error.field.split(".")[0].split("[")[0]
        fields[name] = FIELD_MESSAGES.get(name, TITLES.get(status_of(exc), TITLES[422]))
    for kind, message in (refusals or {}).items():
        if isinstance(exc, kind):
            return message, fields
    if isinstance(exc, BallotRejected):
        return N_("The ballot does not fit the round's rules: check how many projects you chose."), {}
    if isinstance(exc, domain.TooManyRequests):
        return N_("Too many attempts: wait a few minutes and try again."), fields
    if isinstance(exc, domain.NotAuthenticated):
        return N_("The code is wrong or has expired: check the SMS or ask for a new code."), fields
    if isinstance(exc, domain.Conflict) and "iin" in fields:
        fields["iin"] = N_("This IIN is registered to another account. Ask the akimat of your district for help.")
        return fields["iin"], fields
    if isinstance(exc, domain.Conflict):
        return N_("Voting in this round is not open now."), fields
    if isinstance(exc, domain.NotAllowed):
        return N_("You cannot vote in this round: it is for registered residents of its district who are old "
                  "enough."), fields
    if isinstance(exc, domain.Unavailable):
        return TITLES[503], fields
    if fields:
        return next(iter(fields.values())), fields
    if language:
        return localized_detail(exc, language), fields
    return TITLES.get(status_of(exc), TITLES[422]), fields


def _language(request: Request) -> str:
    return getattr(request.state, "site_language", None) or request_language(request)


def error_page(request: Request, status: int, detail: str = "") -> Template:
    language = _language(request)
    catalogue = translations(language)
    return Template(
        template_name="site/error.html.jinja",
        status_code=status,
        headers={"Cache-Control": "no-store"},
        context={"_": catalogue.gettext, "lang": language, "languages": NAMES, "fmt": Formats(language),
                 "me": None, "here": request.url.path, "status": status,
                 "title": TITLES.get(status, TITLES[500]), "detail": detail},
    )


def domain_error(request: Request, exc: domain.DomainError) -> Response:
    message, _ = explain(exc, language=_language(request))
    page = error_page(request, status_of(exc), message)
    if isinstance(exc, domain.TooManyRequests | domain.Unavailable):
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


def http_error(request: Request, exc: HTTPException) -> Response:
    detail = ""
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        detail = N_("The form was open too long or came from another site. Go back, reload the page and try again.")
    elif isinstance(exc, NotFoundException):
        detail = ""
    elif exc.status_code >= 500:
        log.error("site error %s: %s", exc.status_code, exc.detail, exc_info=exc)
    return error_page(request, exc.status_code if exc.status_code in TITLES else 400, detail)


def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled site error on %s %s", request.method, route_of(request))
    return error_page(request, 500)


EXCEPTION_HANDLERS = {
    domain.DomainError: domain_error,
    # Named, or the API's more specific handler for it (a problem document) would answer a page's bad address.
    ValidationException: http_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
