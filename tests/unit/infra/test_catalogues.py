"""Every text of the console and of the resident site has its Kazakh and Russian translation, and the shipped
.mo files match the .po sources."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
METHODS = [("**.py", "python"), ("**.jinja", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Each face's catalogue: its domain, its locale folder, the folders its texts are written in, how to compile it.
FACES = {
    "console": (ROOT / "admin" / "locale", [ROOT / "admin"], "pybabel compile -d admin/locale -D console"),
    "site": (ROOT / "mobile_api" / "locale", [ROOT / "mobile_api" / "site", ROOT / "mobile_api" / "templates" / "site"],
             "pybabel compile -d mobile_api/locale -D site"),
}


def extracted(folders: list[Path]) -> set[str]:
    return {message for folder in folders for _, _, message, _, _ in
            extract_from_dir(str(folder), METHODS, KEYWORDS) if message}


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("domain", sorted(FACES))
def test_every_text_is_translated_and_compiled(domain, language):
    locale, folders, compile_command = FACES[domain]
    po = locale / language / "LC_MESSAGES" / f"{domain}.po"
    translated = {m.id: m.string for m in read_po(po.open("rb")) if m.id}
    missing = sorted(extracted(folders) - {k for k, v in translated.items() if v})
    assert not missing, f"translate in {po.relative_to(ROOT)}: {missing}"
    compiled = gettext.translation(domain, locale, [language])
    stale = [k for k, v in translated.items() if compiled.gettext(k) != v]
    assert not stale, f"run: {compile_command}"
