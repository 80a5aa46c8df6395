"""Every error as an RFC 9457 problem document whose `detail` says what to do about it."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import asyncpg
import msgspec
import redis.exceptions
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from infra import errors as domain
from infra.i18n import R_, catalogues, render

log = logging.getLogger("dauys.errors")

PROBLEM = "application/problem+json"

STATUS = {
    domain.NotFound: 404,
    domain.NotAllowed: 403,
    domain.Conflict: 409,
    domain.RuleBroken: 422,
    domain.NotAuthenticated: 401,
    domain.TooManyRequests: 429,
    domain.Unavailable: 503,
}

TITLES = {
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Titles and details in Kazakh and Russian are in infra/locale/{kk,ru}/LC_MESSAGES/problems.po; the domain's
# messages are their msgids (infra/locale/README.md says how to extract and compile them).
TITLED = ("kk", "ru")
TITLE_WORDS = (R_("Request refused"), R_("Not found"), R_("Not allowed"), R_("Conflict with the current state"),
               R_("Rule broken"), R_("Not authenticated"), R_("Too many requests"),
               R_("Service temporarily unavailable"), R_("Malformed request"), R_("Method not allowed"),
               R_("Request body too large"), R_("Unsupported media type"), R_("Internal error"), R_("Error"))
# Words that messages take as a `Term` from data rather than from a literal: the statuses of rounds, ideas,
# initiatives and ballots, and the kinds of things a resident follows.
TERMS = (R_("draft"), R_("ideas"), R_("review"), R_("voting"), R_("closed"), R_("published"),
         R_("submitted"), R_("accepted"), R_("rejected"), R_("hidden"), R_("merged"),
         R_("moderation"), R_("collecting"), R_("answer_due"), R_("answered"), R_("expired"),
         R_("counted"), R_("superseded"), R_("quarantined"), R_("invalidated"),
         R_("project"), R_("round"), R_("initiative"), R_("region"))


_titles = catalogues("problems", LOCALE_DIR)


def asked_language(accept_language: str | None) -> str | None:
    """kk or ru when the client asks for one of them before English (by q-value, then order); else None, and
    titles stay English, as clients that ask for no language have always read them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        try:
            quality = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in (*TITLED, "en") and quality > 0:
            ranked.append((-quality, position, language))
    best = min(ranked)[2] if ranked else None
    return best if best in TITLED else None


def _asked(request: Request | None) -> str | None:
    return asked_language(request.headers.get("accept-language")) if request is not None else None


def localized_title(request: Request | None, title: str) -> str:
    language = _asked(request)
    return _titles(language).gettext(title) if language else title


def localized_detail(exc: domain.DomainError, language: str | None) -> str:
    """What a refusal says, in kk or ru from the catalogue (English for None, en, or a message it lacks):
    for the API's problem documents and for the pages of both faces alike."""
    if language not in TITLED:
        return exc.detail
    return render(exc.message, exc.params, language, _titles(language))


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    content: dict[str, object] = {"type": "about:blank", "status": status, "title": title, "detail": detail}
    if errors:
        content["errors"] = errors
    return Response(content=content, status_code=status, media_type=PROBLEM, headers=headers)


def status_of(exc: domain.DomainError) -> int:
    """The HTTP status of a domain refusal, for the API and for the pages of both faces."""
    return next(code for kind, code in STATUS.items() if isinstance(exc, kind))


def domain_error_handler(request: Request, exc: domain.DomainError) -> Response:
    status = status_of(exc)
    headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else None
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return problem(status, localized_title(request, exc.title), localized_detail(exc, _asked(request)), errors,
                   headers)


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            field = str(item.get("key") or item.get("source") or "body")
            errors.append({"field": field, "message": str(item.get("message", ""))})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or str(exc.detail)
    return problem(400, localized_title(request, TITLES[400]), f"The request could not be read: {detail}", errors)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        log.error("server error %s: %s", status, exc.detail, exc_info=exc)
    title = TITLES.get(status, "Error")
    detail = exc.detail if exc.detail and exc.detail != title else title
    if status == 404:
        detail = R_("Nothing is found at this address.")
    elif status == 413:
        detail = R_("The request body is larger than the 64 KiB this endpoint accepts.")
    language = _asked(request)
    if language and status in (404, 413):
        detail = _titles(language).gettext(detail)
    headers = {k: v for k, v in (exc.headers or {}).items()}
    return problem(status, localized_title(request, title), detail, headers=headers)


# Errors that say a part Dauys depends on is down or restarting, not that Dauys is wrong: the client is
# told to retry (503 with Retry-After) instead of getting a 500. The database's pool and Redis's client
# reconnect by themselves once the part is back, so no restart of Dauys is needed.
DEPENDENCY_DOWN = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08: the connection failed or is gone
    asyncpg.exceptions.OperatorInterventionError,  # 57P01 shutting down, 57P03 starting up
    asyncpg.exceptions.TooManyConnectionsError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,  # refused or reset sockets (asyncpg connecting, redis-py)
    TimeoutError,
)


def dependency_down(exc: BaseException) -> bool:
    if isinstance(exc, DEPENDENCY_DOWN):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        # "connection is closed" or "pool is closing"; other interface errors are bugs of ours.
        return "closed" in str(exc) or "closing" in str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return "database is locked" in str(exc)
    # asyncio reports a refused connection to a name with several addresses as a plain OSError; its
    # subclasses for files (missing, not permitted) are a misconfiguration, not an outage, and stay 500s.
    return type(exc) is OSError


def route_of(request: Request) -> str:
    """The route's template (`/api/v1/receipts/{receipt}`), never the address as sent: a path may hold a
    newline or a forged log line, and it may hold a receipt or a phone that the log must not keep."""
    return request.scope.get("path_template") or "(no route)"


def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    if dependency_down(exc):
        log.warning("%s %s: a dependency is unavailable (%s: %s)", request.method, route_of(request),
                    type(exc).__name__, exc)
        return domain_error_handler(request, domain.Unavailable(
            "Dauys cannot reach its database or session store at this moment, so the request was not "
            "carried out: try again in a few seconds."))
    log.exception("unhandled error on %s %s", request.method, route_of(request))
    language = _asked(request)
    detail = R_("Something went wrong on our side; it has been logged.")
    return problem(500, localized_title(request, "Internal error"),
                   _titles(language).gettext(detail) if language else detail)


EXCEPTION_HANDLERS = {
    domain.DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}



class FieldProblem(msgspec.Struct):
    field: str
    message: str


class ProblemDocument(msgspec.Struct):
    """An RFC 9457 problem document, as every error answer of this API is."""

    type: str
    status: int
    title: str
    detail: str
    errors: list[FieldProblem] | None = None


def problems(answers: dict[int, str]) -> dict[int, ResponseSpec]:
    """OpenAPI descriptions of a handler's error answers, each a problem document.

    A 400 is always among them: Litestar would otherwise describe its own validation answer, as
    application/json in a shape that `validation_error_handler` never sends.
    """
    answers = {400: "malformed request: a parameter or the body cannot be read", **answers}
    return {
        status: ResponseSpec(data_container=ProblemDocument, description=description,
                             media_type=PROBLEM, generate_examples=False)
        for status, description in answers.items()
    }
