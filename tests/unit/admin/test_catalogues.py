"""Every console text has its Kazakh and Russian translation, and the shipped .mo files match the .po sources."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ADMIN = Path(__file__).resolve().parents[3] / "admin"
LOCALE = ADMIN / "locale"
METHODS = [("**.py", "python"), ("**.jinja", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    return {message for _, _, message, _, _ in extract_from_dir(str(ADMIN), METHODS, KEYWORDS) if message}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_text_is_translated_and_compiled(language):
    source = read_po((LOCALE / language / "LC_MESSAGES" / "console.po").open("rb"))
    translated = {m.id: m.string for m in source if m.id}
    missing = sorted(extracted() - {k for k, v in translated.items() if v})
    assert not missing, f"translate in admin/locale/{language}/LC_MESSAGES/console.po: {missing}"
    compiled = gettext.translation("console", LOCALE, [language])
    stale = [k for k, v in translated.items() if compiled.gettext(k) != v]
    assert not stale, "run: pybabel compile -d admin/locale -D console"
