"""Reading console forms: every value is kept as typed, every problem is named by its field.

Forms only turn text into values (numbers, times); whether the values are allowed is decided by the
domain services that the API calls too, and their FieldErrors land beside the same fields here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from admin.console.i18n import parse_local
from infra.errors import DomainError, FieldError
from infra.i18n import N_
from infra.problems import localized_detail

# Larger amounts than any budget; also keeps numbers inside the database's 64-bit columns.
MAX_AMOUNT = 10**15
LANGS = ("kk", "ru", "en")


@dataclass
class Form:
    values: dict[str, str]
    # The fields the page shows: a refusal about any other field is shown above the form.
    fields: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    # The refusal the message is from, so that the page shows it in the staff member's language.
    refusal: DomainError | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any] | None, fields: Sequence[str] = ()) -> Form:
        values = {k: v.strip() for k, v in (data or {}).items() if k != "_csrf_token" and isinstance(v, str)}
        return cls(values, tuple(fields))

    def text(self, name: str) -> str:
        return self.values.get(name, "")

    def texts(self, prefix: str) -> dict[str, str]:
        """A {kk, ru, en} text from the fields prefix_kk, prefix_ru, prefix_en."""
        return {lang: self.text(f"{prefix}_{lang}") for lang in LANGS if self.text(f"{prefix}_{lang}")}

    def integer(self, name: str, required: bool = True) -> int | None:
        raw = self.text(name).replace(" ", "").replace("\u00a0", "")
        if not raw:
            if required:
                self.errors.setdefault(name, N_("Fill this in."))
            return None
        if not raw.lstrip("-").isdigit():
            self.errors.setdefault(name, N_("Enter a whole number."))
            return None
        value = int(raw)
        if abs(value) > MAX_AMOUNT:
            self.errors.setdefault(name, N_("This number is too large."))
            return None
        return value

    def time(self, name: str) -> datetime | None:
        value = parse_local(self.text(name))
        if value is None:
            self.errors.setdefault(name, N_("Enter a date and time."))
        return value

    def flag(self, name: str) -> bool:
        return self.text(name) in ("on", "true", "1", "yes")

    def refuse(self, exc: DomainError, fields: Mapping[str, str] | None = None) -> None:
        """Put a domain refusal beside its fields (renamed through `fields`), or above the form."""
        self.add(exc.errors, fields)
        if not exc.errors or any(self._field(e.field, fields) not in self.fields for e in exc.errors):
            self.message, self.refusal = exc.detail, exc

    def shown_message(self, language: str) -> str:
        """The message above the form in `language`: a refusal as the API words it there, else a msgid."""
        return localized_detail(self.refusal, language) if self.refusal is not None else self.message

    def add(self, errors: Sequence[FieldError], fields: Mapping[str, str] | None = None) -> None:
        for error in errors:
            self.errors.setdefault(self._field(error.field, fields), error.message)

    @staticmethod
    def _field(name: str, fields: Mapping[str, str] | None) -> str:
        name = name.removeprefix("vote.")
        return (fields or {}).get(name, name)
