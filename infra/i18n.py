"""gettext catalogues, as every face uses them: messages marked where they are written and translated where
they are shown, each face (and the API's problem documents) with a catalogue domain of its own; and messages
with named placeholders whose values are shown as a reader of each language expects (times in Kazakhstan's
zone, texts and words in the language)."""

from __future__ import annotations

import gettext
import string
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

# Kazakhstan keeps one time zone, UTC+5, since March 2024: ages and "the day voting opens" are days there, and
# every time a resident or a clerk reads is shown in it.
KAZAKHSTAN = timezone(timedelta(hours=5))
FALLBACK = ("ru", "kk", "en")
# The zone is named beside every time, since a reader abroad (or a clerk's browser) may assume their own.
TIME_FORMATS = {
    "en": "%Y-%m-%d %H:%M (Kazakhstan time, UTC+5)",
    "ru": "%d.%m.%Y %H:%M (время Казахстана, UTC+5)",
    "kk": "%d.%m.%Y %H:%M (Қазақстан уақыты, UTC+5)",
}


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later, at rendering."""
    return message


def P_(context: str, message: str) -> str:
    """Marks a message with a context (pgettext's), for words whose translation depends on where they are
    shown; extracted with the keyword `P_:1c,2`."""
    return message


def R_(message: str) -> str:
    """`N_` for the problems catalogue (infra/locale), R for refusal: a refusal's message or a problem title
    written apart from the error that carries it. The faces' catalogues have N_ to themselves."""
    return message


class Term(str):
    """A word of a closed vocabulary (a status such as `voting`) put into a message: it reads as itself in
    English, and is translated with the message's catalogue in the other languages."""

    __slots__ = ()


def catalogues(domain: str, locale_dir: Path) -> Callable[[str], gettext.NullTranslations]:
    """The translations of `domain` in one language, loaded once per process."""

    @cache
    def translations(language: str) -> gettext.NullTranslations:
        # English is the catalogues' source language: its messages are the msgids themselves.
        return gettext.translation(domain, locale_dir, [language], fallback=True)

    return translations


def localized(text: Mapping[str, str] | None, language: str) -> str:
    """One string from a {kk, ru, en} text: the asked language, then ru, kk, en."""
    text = text or {}
    for candidate in (language, *FALLBACK):
        if text.get(candidate):
            return text[candidate]
    return ""


def format_time(value: datetime, language: str) -> str:
    """A moment in Kazakhstan's time, labelled so; a naive value is taken as UTC, as the database gives it."""
    moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(KAZAKHSTAN).strftime(TIME_FORMATS.get(language, TIME_FORMATS["en"]))


def placeholders(template: str) -> set[str]:
    """The names a message's `{name}` placeholders use (`{0}` or `{}` are not allowed in messages)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def shown(value: object, language: str, translation: gettext.NullTranslations | None = None) -> object:
    """A placeholder's value as a reader of `language` reads it; anything else is left to str.format."""
    if isinstance(value, datetime):
        return format_time(value, language)
    if isinstance(value, Mapping):
        # Texts as they are stored, {kk, ru, en}: a region's name, a round's title.
        return localized(value, language)
    if isinstance(value, Term):
        return translation.gettext(value) if translation is not None else str(value)
    return value


def render(template: str, params: Mapping[str, object], language: str = "en",
           translation: gettext.NullTranslations | None = None) -> str:
    """`template` translated by `translation` (English when it has none) with `params` filled in for
    `language`. A translation whose placeholders do not fit the parameters falls back to English rather
    than fail the answer that carries it; a test keeps the shipped catalogues from doing that."""
    english = template.format(**{k: shown(v, "en") for k, v in params.items()}) if params else template
    if translation is None or language == "en":
        return english
    text = translation.gettext(template)
    if not params:
        return text
    try:
        return text.format(**{k: shown(v, language, translation) for k, v in params.items()})
    except (KeyError, IndexError, ValueError, AttributeError):
        return english
