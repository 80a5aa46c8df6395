"""The problem documents' titles in Kazakh and Russian: every title the API can answer has both, and a
client that asks for no language (or for English first) keeps reading English ones."""

from __future__ import annotations

import pytest

from infra import errors
from infra.problems import TITLE_WORDS, TITLES, _titles, asked_language


def test_every_title_has_kazakh_and_russian():
    kinds = [errors.DomainError, *errors.DomainError.__subclasses__()]
    titles = {*TITLE_WORDS, *TITLES.values(), *(kind.title for kind in kinds)}
    assert titles <= set(TITLE_WORDS)
    for language in ("kk", "ru"):
        untranslated = [title for title in titles if _titles(language).gettext(title) == title]
        assert untranslated == [], language


@pytest.mark.parametrize(("header", "language"), [
    (None, None), ("", None), ("en", None), ("kk", "kk"), ("ru-RU,ru;q=0.9", "ru"), ("en;q=0.5, kk", "kk"),
    ("en, ru;q=0.8", None), ("de, ru;q=0.5", "ru"), ("kk;q=abc, ru;q=0.1", "ru"), ("fr", None),
])
def test_the_title_language_is_asked_for_explicitly(header, language):
    assert asked_language(header) == language
