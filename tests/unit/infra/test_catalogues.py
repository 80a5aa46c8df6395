"""Every text of the console, of the resident site and of the notifications has its Kazakh and Russian
translation, and the shipped .mo files match the .po sources."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
METHODS = [("**.py", "python"), ("**.jinja", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "P_": ((1, "c"), 2)}
# Each face's catalogue: its domain, its locale folder, the folders its texts are written in, how to compile it.
FACES = {
    "console": (ROOT / "admin" / "locale", [ROOT / "admin"], "pybabel compile -d admin/locale -D console"),
    "site": (ROOT / "mobile_api" / "locale", [ROOT / "mobile_api" / "site", ROOT / "mobile_api" / "templates" / "site"],
             "pybabel compile -d mobile_api/locale -D site"),
    "notify": (ROOT / "notify" / "locale", [ROOT / "notify"], "pybabel compile -d notify/locale -D notify"),
}


def extracted(folders: list[Path]) -> set[tuple[str | None, str]]:
    """(context, msgid) of every marked text; a plural's msgid is its singular."""
    return {(context, message[0] if isinstance(message, tuple) else message) for folder in folders
            for _, _, message, _, context in extract_from_dir(str(folder), METHODS, keywords=KEYWORDS) if message}


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("domain", sorted(FACES))
def test_every_text_is_translated_and_compiled(domain, language):
    locale, folders, compile_command = FACES[domain]
    po = locale / language / "LC_MESSAGES" / f"{domain}.po"
    translated = {(m.context, m.id): m.string for m in read_po(po.open("rb")) if m.id}
    missing = sorted(extracted(folders) - {k for k, v in translated.items() if v}, key=str)
    assert not missing, f"translate in {po.relative_to(ROOT)}: {missing}"
    compiled = gettext.translation(domain, locale, [language])
    stale = [(context, msgid) for (context, msgid), v in translated.items()
             if isinstance(v, str) and (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != v]
    assert not stale, f"run: {compile_command}"
