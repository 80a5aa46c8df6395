"""Regions and counting rules by name, and an audit entry's changes, as the console shows them."""

from __future__ import annotations

from admin.console.audit_entries import Change, EntryView, changes
from admin.console.i18n import Formats, translations
from budgets.rules import RULES

REGIONS = {"751110000": {"kk": "Алмалы ауданы", "ru": "Алмалинский район", "en": "Almaly District"},
           "751910000": {"kk": "Түрксіб ауданы", "ru": "Турксибский район"}}


def test_a_region_is_named_in_the_members_language_and_english_falls_back_to_russian():
    assert Formats("kk", REGIONS).region("751110000") == "Алмалы ауданы"
    assert Formats("ru", REGIONS).region("751110000") == "Алмалинский район"
    assert Formats("en", REGIONS).region("751110000") == "Almaly District"
    # The classifier names regions in kk and ru only.
    assert Formats("en", REGIONS).region("751910000") == "Турксибский район"
    assert Formats("ru", REGIONS).region("999999999") == "999999999"
    assert Formats("ru", REGIONS).region(None) == "—"


def test_every_rule_has_a_plain_name_in_each_language():
    for language in ("kk", "ru", "en"):
        names = {Formats(language).rule(rule) for rule in RULES}
        assert len(names) == len(RULES) and not names & set(RULES), language
    assert Formats("ru").rule("mes") == "Равные доли"
    assert Formats("en").rule("greedy") == "Most votes first"
    assert Formats("ru").rule("borda") == "borda"


def test_changes_are_the_fields_that_differ_nested_texts_one_by_one():
    before = {"title": {"ru": "Двор", "kk": "Аула"}, "budget": 50, "rule": "greedy", "vote": {"max_choices": 3}}
    after = {"title": {"ru": "Двор 2", "kk": "Аула"}, "budget": 60, "rule": "greedy", "vote": {"max_choices": 3},
             "auto_publish": True}
    assert changes(before, after) == [Change("title.ru", "Двор", "Двор 2"), Change("budget", 50, 60),
                                      Change("auto_publish", None, True)]
    assert changes(None, {"region": "751110000"}) == [Change("region", None, "751110000")]
    assert changes({"enabled": True}, None) == [Change("enabled", True, None)]
    assert changes({"a": 1}, {"a": 1}) == []


def test_values_read_as_text_times_in_kazakhstan_and_codes_by_name():
    view = EntryView(Formats("ru", REGIONS), translations("ru").gettext, {})
    assert view.value("region", "751110000") == "Алмалинский район"
    assert view.value("rule", "mes-add1") == Formats("ru").rule("mes-add1")
    assert view.value("voting_opens_at", "2026-03-01T05:00:00+00:00") == "01.03.2026 10:00"
    assert view.value("at", "2026-12-31T20:30:00Z") == "01.01.2027 01:30"
    assert view.value("budget", 60_000_000) == "60\xa0000\xa0000"
    assert view.value("auto_publish", False) == "нет" and view.value("reason", None) == "—"
    assert view.value("added", ["751110000", "751910000"]) == "Алмалинский район, Турксибский район"
    # A refused reach says why and names the member's region.
    assert view.value("reason", "outside_region") == "вне региона сотрудника"
    assert view.value("staff_region", "751910000") == "Турксибский район"
    assert view.label("title.kk") == "Название (kk)" and view.label("vote.max_choices").startswith("Бюллетень · ")
    assert view.who("scheduler") == "Планировщик" and view.what("project:7") == ("Проект 7", None)
    assert view.what("region:751910000") == ("Турксибский район", None)
