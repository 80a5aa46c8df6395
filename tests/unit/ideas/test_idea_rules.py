"""The rules of ideas alone: lengths, categories, the map, decisions, pg_trgm's measure, cursors."""

import pytest

from ideas.rules import (
    check_bulk_decision,
    check_decision,
    check_proposal,
    decode_cursor,
    detect_language,
    encode_cursor,
    similarity,
    trigrams,
)
from infra.errors import RuleBroken

TEXT = "Во дворе нет фонарей, вечером темно."


def fields(call) -> set[str]:
    with pytest.raises(RuleBroken) as refused:
        call()
    return {error.field for error in refused.value.errors}


def propose(title="Фонари во дворе", text=TEXT, category="lighting", language=None, lat=None, lon=None, cost=None):
    return check_proposal(title, text, category, language, lat, lon, cost)


@pytest.mark.parametrize("title,text,field", [
    ("ab", TEXT, "title"), ("x" * 121, TEXT, "title"), ("   ", TEXT, "title"), ("", TEXT, "title"),
    ("Фонари", "коротко", "text"), ("Фонари", "x" * 801, "text"), ("Фонари", " \n\t ", "text"),
])
def test_texts_outside_their_lengths_are_refused_with_the_field(title, text, field):
    assert fields(lambda: propose(title=title, text=text)) == {field}


def test_the_limits_themselves_are_allowed_and_the_ends_trimmed():
    idea = propose(title="  " + "я" * 120 + " ", text="x" * 800)
    assert idea.title == "я" * 120 and len(idea.text) == 800
    assert propose(title="abc", text="x" * 10).title == "abc"


def test_html_is_kept_as_written():
    assert propose(title="<script>alert(1)</script>").title == "<script>alert(1)</script>"


def test_unknown_category_half_a_location_and_a_point_abroad_are_refused():
    assert fields(lambda: propose(category="casino")) == {"category"}
    assert fields(lambda: propose(lat=43.2)) == {"location"}
    assert fields(lambda: propose(lat=48.85, lon=2.35)) == {"location"}
    assert fields(lambda: propose(cost=0)) == {"estimated_cost"}
    assert propose(lat=43.2389, lon=76.8897).lat == 43.2389


@pytest.mark.parametrize("text,language", [
    ("Аулаға шам қою керек", "kk"), ("Поставить фонари во дворе", "ru"), ("Lights for the yard", "en"),
    ("12345", "ru"),
])
def test_the_language_is_detected_when_not_given(text, language):
    assert detect_language(text) == language


def test_a_given_language_wins_and_must_be_one_of_three():
    assert propose(language="kk").language == "kk"
    assert fields(lambda: propose(language="de")) == {"language"}


def test_accepting_needs_a_cost_and_the_others_a_public_reason():
    assert fields(lambda: check_decision("accept", None, None, None, 1)) == {"cost"}
    assert check_decision("accept", None, 5_000_000, None, 1).cost == 5_000_000
    for decision in ("reject", "hide", "merge"):
        assert "reason" in fields(lambda d=decision: check_decision(d, {"en": "no"}, None, 2, 1))
    assert fields(lambda: check_decision("merge", {"ru": "дубль"}, None, None, 1)) == {"merge_into"}
    assert fields(lambda: check_decision("merge", {"ru": "дубль"}, None, 1, 1)) == {"merge_into"}
    assert fields(lambda: check_decision("approve", None, None, None, 1)) == {"decision"}
    merged = check_decision("merge", {"ru": " дубль "}, 99, 2, 1)
    assert merged.reason == {"ru": "дубль"} and merged.cost is None and merged.merge_into == 2


def test_only_reject_and_hide_go_in_bulk():
    assert check_bulk_decision("hide", {"kk": "спам"}).decision == "hide"
    assert fields(lambda: check_bulk_decision("accept", {"kk": "ok"})) == {"decision"}


def test_trigrams_are_pg_trgms():
    # pg_trgm: show_trgm('дом') = {"  д"," до","дом","ом "}
    assert trigrams("Дом") == {"  д", " до", "дом", "ом "}
    assert trigrams("a, b") == {"  a", " a ", "  b", " b "}
    assert similarity("Освещение во дворе", "освещение во дворе") == 1.0
    assert similarity("Освещение во дворе", "Освещение двора дома 12") > 0.3
    assert similarity("Освещение во дворе", "Футбольное поле") < 0.1
    assert similarity("", "что-то") == 0.0


def test_cursors_round_trip_and_foreign_ones_are_refused():
    assert decode_cursor("supports", encode_cursor("supports", 12, 345)) == (12, 345)
    assert decode_cursor("new", encode_cursor("new", 12, 345)) == (0, 345)
    for bad in ("", "x", "1.2.3", "-1.2", "1." + "9" * 11, "12"):
        assert fields(lambda b=bad: decode_cursor("supports", b)) == {"cursor"}
    assert fields(lambda: decode_cursor("new", "1.2")) == {"cursor"}
