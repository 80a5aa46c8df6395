"""gettext catalogues, as every face uses them: messages marked where they are written and translated where
they are shown, each face (and the API's problem titles) with a catalogue domain of its own."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later, at rendering."""
    return message


def P_(context: str, message: str) -> str:
    """Marks a message with a context (pgettext's), for words whose translation depends on where they are
    shown; extracted with the keyword `P_:1c,2`."""
    return message


def catalogues(domain: str, locale_dir: Path) -> Callable[[str], gettext.NullTranslations]:
    """The translations of `domain` in one language, loaded once per process."""

    @cache
    def translations(language: str) -> gettext.NullTranslations:
        # English is the catalogues' source language: its messages are the msgids themselves.
        return gettext.translation(domain, locale_dir, [language], fallback=True)

    return translations
