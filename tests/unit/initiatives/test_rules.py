"""The pure rules of initiatives: thresholds by level, text limits, small cells, the public status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.errors import RuleBroken
from initiatives import rules

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("top_level", "population", "threshold"), [
    (False, 235_000, 2_500),      # a district of Almaty: 5% is 11,750, capped at 2,500
    (False, 30_000, 1_500),       # a small district: 5%
    (False, 30_001, 1_501),       # rounded up: 5% of 30,001 is 1,500.05
    (False, 1_000, 100),          # an okrug of 1,000: 5% is 50, at least 100
    (True, 2_332_397, 23_324),    # Almaty, a city of republican significance: 1%, no cap
    (True, 5_000, 100),           # never below 100
    (False, None, 2_500),         # population unknown: the district figure
    (True, None, 2_500),
])
def test_default_threshold_by_level(top_level, population, threshold):
    assert rules.default_threshold(top_level, population) == threshold


def test_texts_are_stripped_and_kept_as_written():
    checked = rules.checked_texts(title=("  Фонари <b>в сквере</b> ", rules.TITLE_LIMITS),
                                  text=("Вечером   темно.  Просим свет.", rules.TEXT_LIMITS))
    assert checked == {"title": "Фонари <b>в сквере</b>", "text": "Вечером   темно.  Просим свет."}


@pytest.mark.parametrize(("title", "text", "fields"), [
    ("ab", "x" * 10, {"title"}),
    ("a" * 121, "x" * 10, {"title"}),
    ("   \n\t ", "x" * 10, {"title"}),
    ("", "", {"title", "text"}),
    ("abc", "x" * 9, {"text"}),
    ("abc", "x" * 2001, {"text"}),
    ("abc", " " * 50 + "short" + " " * 50, {"text"}),
    ("ab\x00c", "x" * 10, {"title"}),
    ("abc", "ten chars\x00!", {"text"}),
])
def test_texts_outside_their_limits_name_the_field(title, text, fields):
    with pytest.raises(RuleBroken) as refused:
        rules.checked_texts(title=(title, rules.TITLE_LIMITS), text=(text, rules.TEXT_LIMITS))
    assert {error.field for error in refused.value.errors} == fields


def test_limits_are_inclusive():
    assert rules.checked_texts(title=("abc", rules.TITLE_LIMITS), text=("x" * 2000, rules.TEXT_LIMITS))
    assert rules.checked_texts(title=("a" * 120, rules.TITLE_LIMITS), text=("x" * 10, rules.TEXT_LIMITS))


def test_a_localized_text_needs_one_known_language():
    assert rules.checked_localized("reason", {"ru": " Дубликат ", "kk": ""}, rules.REASON_LIMITS) == {"ru": "Дубликат"}
    for bad in ({}, {"ru": "   "}, {"de": "Doppelt"}, {"ru": "x\x00yz"}):
        with pytest.raises(RuleBroken) as refused:
            rules.checked_localized("reason", bad, rules.REASON_LIMITS)
        assert refused.value.errors[0].field.startswith("reason")


def test_region_rules_rise_and_stay_in_bounds():
    assert rules.check_region_rules(rules.RegionRules(100, 30, 500, 1000))
    assert rules.check_region_rules(rules.RegionRules(None, 30, 500, None))
    for wanted, field in ((rules.RegionRules(0), "initiative_threshold"),
                          (rules.RegionRules(answer_days=0), "answer_days"),
                          (rules.RegionRules(answer_days=366), "answer_days"),
                          (rules.RegionRules(500, 30, 500), "hearing_threshold"),
                          (rules.RegionRules(100, 30, 500, 400), "ballot_threshold")):
        with pytest.raises(RuleBroken) as refused:
            rules.check_region_rules(wanted)
        assert field in {error.field for error in refused.value.errors}


def test_small_cells_are_hidden():
    shown = rules.suppress_small_cells({"a": 0, "b": 1, "c": 4, "d": 5, "e": 12}, total=22)
    assert shown == {"a": 0, "b": None, "c": None, "d": 5, "e": 12}


def test_a_lone_hidden_cell_cannot_be_recovered_from_the_total():
    # Total 20, shown 5 + 12 + 0: the hidden one would be 3. The smallest shown count is hidden too.
    shown = rules.suppress_small_cells({"a": 0, "b": 3, "d": 5, "e": 12}, total=20)
    assert shown == {"a": 0, "b": None, "d": None, "e": 12}
    # Signers registered in the addressee itself (not in any cell) are a small count the same way.
    shown = rules.suppress_small_cells({"d": 5, "e": 12}, total=19)
    assert shown == {"d": None, "e": 12}
    # Two unknowns already: nothing more to hide.
    assert rules.suppress_small_cells({"b": 2, "c": 3, "e": 12}, total=17) == {"b": None, "c": None, "e": 12}


def test_no_small_cell_nothing_hidden():
    assert rules.suppress_small_cells({"d": 5, "e": 12}, total=17) == {"d": 5, "e": 12}
    assert rules.suppress_small_cells({"d": 5, "e": 12}, total=30) == {"d": 5, "e": 12}


def test_public_status_and_answer_overdue():
    assert rules.public_status("collecting", NOW, NOW) == "expired"
    assert rules.public_status("collecting", NOW + timedelta(seconds=1), NOW) == "collecting"
    assert rules.public_status("answer_due", NOW - timedelta(days=1), NOW) == "answer_due"
    assert rules.answer_overdue("answer_due", NOW - timedelta(seconds=1), NOW)
    assert not rules.answer_overdue("answer_due", NOW, NOW)
    assert not rules.answer_overdue("answered", NOW - timedelta(days=1), NOW)


def test_surges_and_crowded_sources():
    assert rules.is_surge(60, [2, 3, 1, 2, 4, 2])
    assert not rules.is_surge(19, [0] * 6)
    assert not rules.is_surge(60, [15, 12, 14, 13, 11, 16])
    assert rules.crowded_sources("device", {"d1": 5, "d2": 4}, 9) == ["d1"]
    assert rules.crowded_sources("origin", {"o1": 25, "o2": 20}, 100) == []
    assert rules.crowded_sources("origin", {"o1": 25}, 40) == ["o1"]
