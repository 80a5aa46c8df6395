"""Errors the domain raises; the HTTP layer maps each kind to its status code in one place.

A refusal's message is an English template with named placeholders and their values, given apart:
`Conflict("Voting in round {round} closed at {closes}.", round=7, closes=closes_at)`. The template is the msgid
of the `problems` catalogue (infra/locale), so a problem document's `detail` is translated for the language
the client asks for, with each value shown for that language (`infra.i18n.shown`: times in Kazakhstan time,
{kk, ru, en} texts such as a region's name in the language, `Term`s translated). `str(error)` and `detail`
are the English. A message must therefore be a literal, never an f-string: an f-string still works (it is
shown in English in every language) but gives the translators nothing to find.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infra.i18n import render


@dataclass(frozen=True)
class FieldError:
    """One broken rule, named by the request field it concerns."""

    field: str
    message: str


def listed(errors: Sequence[FieldError], between: str = " ") -> str:
    """Field errors as one line, for a message's `{rules}`: field names and their (English) words stay as the
    request named them, in every language."""
    return "; ".join(f"{e.field}{between}{e.message}" for e in errors)


class DomainError(Exception):
    title = "Request refused"

    def __init__(self, message: str, /, errors: Sequence[FieldError] = (), **params: object):
        self.message = message
        self.params = params
        self.detail = render(message, params)
        super().__init__(self.detail)
        self.errors = list(errors)


class NotFound(DomainError):
    title = "Not found"


class NotAllowed(DomainError):
    title = "Not allowed"


class Conflict(DomainError):
    title = "Conflict with the current state"


class RuleBroken(DomainError):
    """A well-formed request that breaks a rule of the round or of Kazakh law."""

    title = "Rule broken"


class NotAuthenticated(DomainError):
    title = "Not authenticated"


class TooManyRequests(DomainError):
    title = "Too many requests"

    def __init__(self, message: str, /, retry_after: int, **params: object):
        super().__init__(message, **params)
        self.retry_after = max(1, retry_after)


class Unavailable(DomainError):
    """A part Dauys depends on (database, Redis) does not answer; the client should retry."""

    title = "Service temporarily unavailable"

    def __init__(self, message: str, /, retry_after: int = 5, **params: object):
        super().__init__(message, **params)
        self.retry_after = retry_after
