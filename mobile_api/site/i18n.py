"""The resident site's languages: gettext catalogues (compiled by Babel from mobile_api/locale/*.po), the
language a visitor reads (their switch, remembered in a cookie, else Accept-Language), and formats."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from litestar import Request

from core.clock import KAZAKHSTAN, as_utc
from infra.http import LANGUAGES, localized, preferred_language
from infra.i18n import N_, catalogues

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "site"
LANGUAGE_COOKIE = "dauys_lang"
NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


translations = catalogues(DOMAIN, LOCALE_DIR)


def request_language(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else preferred_language(request.headers.get("accept-language"))


class Formats:
    """Numbers, money and times as residents read them; times in Kazakhstan's zone."""

    def __init__(self, language: str):
        self.language = language

    @staticmethod
    def number(value: int | float) -> str:
        return f"{value:,}".replace(",", " ")

    def money(self, value: int | float) -> str:
        return f"{self.number(value)} ₸"

    @staticmethod
    def time(value: datetime | None) -> str:
        return as_utc(value).astimezone(KAZAKHSTAN).strftime("%d.%m.%Y %H:%M") if value else "—"

    def text(self, value: dict | None) -> str:
        return localized(value, self.language)


# Words that come from data, not from templates: marked here so that Babel puts them in the catalogues.
STATUSES = (N_("draft"), N_("ideas"), N_("review"), N_("voting"), N_("closed"), N_("published"))
BALLOT_STATUSES = (N_("counted"), N_("superseded"), N_("quarantined"), N_("invalidated"))
# Ideas: the codes of ideas.rules.CATEGORIES and STATUSES, as residents read them.
IDEA_CATEGORIES = {
    "roads": N_("Roads and pavements"), "yards": N_("Courtyards"), "parks": N_("Parks and squares"),
    "playgrounds": N_("Playgrounds"), "sports": N_("Sports grounds"), "lighting": N_("Street lighting"),
    "transport": N_("Public transport"), "accessibility": N_("Accessibility"), "education": N_("Education"),
    "culture": N_("Culture"), "health": N_("Health"), "environment": N_("Environment and greenery"),
    "safety": N_("Safety"), "other": N_("Something else"),
}
IDEA_STATUSES = {
    "submitted": N_("awaiting review"), "accepted": N_("accepted for the ballot"), "rejected": N_("rejected"),
    "hidden": N_("hidden"), "merged": N_("merged with a similar idea"),
}
