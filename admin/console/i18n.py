"""The console's languages: gettext catalogues (compiled by Babel from admin/locale/*.po) and formats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from babel.dates import format_datetime
from babel.numbers import format_decimal

from admin.console.messages import RULE_NAMES
from core.clock import KAZAKHSTAN
from infra.http import localized
from infra.i18n import catalogues

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "console"
LANGUAGES = ("kk", "ru", "en")
BABEL_LOCALES = {"kk": "kk_KZ", "ru": "ru_RU", "en": "en_GB"}


translations = catalogues(DOMAIN, LOCALE_DIR)


class Formats:
    """Numbers, money and times as a person of this language reads them; times in Kazakhstan's zone; regions
    and counting rules by name. Every console page formats through one of these (`fmt` in templates)."""

    def __init__(self, language: str, regions: Mapping[str, dict] | None = None):
        self.language = language
        self.locale = BABEL_LOCALES[language]
        # KATO code -> {kk, ru, en} name (core.regions.region_names); a code it lacks is shown as the code.
        self.regions = regions or {}

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)

    def money(self, value: int | float) -> str:
        return f"{format_decimal(value, locale=self.locale)} ₸"

    def time(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        return format_datetime(value.astimezone(KAZAKHSTAN), "dd.MM.yyyy HH:mm", locale=self.locale)

    def text(self, value: dict | None) -> str:
        return localized(value, self.language)

    def region(self, kato: str | None) -> str:
        """A region's name in this language; the classifier names regions in kk and ru only, so English falls
        back to Russian (infra.http.localized), and a code that is not a region is shown as it is."""
        if not kato:
            return "—"
        return localized(self.regions.get(kato), self.language) or kato

    def rule(self, rule: str | None) -> str:
        """A counting rule's plain-language name; an unknown id is shown as it is."""
        name = RULE_NAMES.get(rule or "")
        return translations(self.language).gettext(name) if name else (rule or "—")


def local_input(value: datetime | None) -> str:
    """A time as a datetime-local input shows it (Kazakhstan time, minutes)."""
    return value.astimezone(KAZAKHSTAN).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_local(text: str) -> datetime | None:
    """A datetime-local input's value, read as Kazakhstan time; None when it is not a time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=KAZAKHSTAN) if value.tzinfo is None else value



