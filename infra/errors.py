"""Errors the domain raises; the HTTP layer maps each kind to its status code in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One broken rule, named by the request field it concerns."""

    field: str
    message: str


class DomainError(Exception):
    title = "Request refused"

    def __init__(self, detail: str, errors: Sequence[FieldError] = ()):
        super().__init__(detail)
        self.detail = detail
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

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


class Unavailable(DomainError):
    """A part Dauys depends on (database, Redis) does not answer; the client should retry."""

    title = "Service temporarily unavailable"

    def __init__(self, detail: str, retry_after: int = 5):
        super().__init__(detail)
        self.retry_after = retry_after
