"""What the site's forms share: the form as shown and typed with its refusals, and reading a posted form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from infra.errors import DomainError
from mobile_api.site.errors import explain

# Pages that show a resident's own state (forms, ballots, their ideas): never kept by a cache.
NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Form:
    """What a form showed and typed, and what is wrong with it (msgids, translated in the template)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""


def refused(form: Form, exc: DomainError, refusals: Mapping[type[DomainError], str] | None = None,
            language: str | None = None) -> Form:
    """The form with the refusal's words above it and beside its fields (see errors.explain), in `language`."""
    message, fields = explain(exc, refusals, language)
    form.errors.update(fields)
    form.message = message
    return form


async def form_data(request: Request) -> Any:
    return await request.form()
