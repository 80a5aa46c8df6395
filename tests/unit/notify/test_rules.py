"""Quiet hours, backoff, preference checks and the SMS templates, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import KAZAKHSTAN
from infra.errors import RuleBroken
from notify import rules, templates

NIGHT = (22 * 60, 8 * 60)


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    """A moment of Kazakhstan time, as the UTC instant the worker sees."""
    return datetime(2026, 12, day, hour, minute, tzinfo=KAZAKHSTAN).astimezone(UTC)


def test_quiet_hours_across_midnight_end_the_next_morning():
    assert rules.quiet_until(at(23, 30), *NIGHT) == datetime(2026, 12, 11, 8, 0, tzinfo=KAZAKHSTAN)
    assert rules.quiet_until(at(3), *NIGHT) == datetime(2026, 12, 10, 8, 0, tzinfo=KAZAKHSTAN)
    assert rules.quiet_until(at(22), *NIGHT) is not None
    assert rules.quiet_until(at(8), *NIGHT) is None
    assert rules.quiet_until(at(12), *NIGHT) is None


def test_quiet_hours_within_a_day_and_none():
    assert rules.quiet_until(at(13), 12 * 60, 14 * 60) == datetime(2026, 12, 10, 14, 0, tzinfo=KAZAKHSTAN)
    assert rules.quiet_until(at(14), 12 * 60, 14 * 60) is None
    assert rules.quiet_until(at(13), None, None) is None


def test_quiet_hours_are_kazakhstan_time_utc_plus_5():
    # 17:30 UTC is 22:30 in Almaty (UTC+5 since March 2024, not +6 as before).
    assert rules.quiet_until(datetime(2026, 12, 10, 17, 30, tzinfo=UTC), *NIGHT) is not None
    assert rules.quiet_until(datetime(2026, 12, 10, 16, 30, tzinfo=UTC), *NIGHT) is None


def test_backoff_doubles_up_to_an_hour():
    waits = [rules.backoff(n) for n in range(1, 10)]
    assert waits[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert waits[-1] == timedelta(hours=1) and waits == sorted(waits)


@pytest.mark.parametrize("value", ["24:00", "7:00", "07:60", "", "07:00:00", "ab:cd"])
def test_bad_times_are_refused_naming_the_field(value):
    with pytest.raises(RuleBroken) as refused:
        rules.parse_time(value, "quiet_hours.from")
    assert refused.value.errors[0].field == "quiet_hours.from"


def test_times_and_languages():
    assert rules.parse_time("22:05", "f") == 22 * 60 + 5 and rules.format_time(22 * 60 + 5) == "22:05"
    assert rules.check_language("kk") == "kk"
    with pytest.raises(RuleBroken):
        rules.check_language("de")


def _subject(kind: str, number: int) -> tuple[dict, str]:
    """An event's payload of its kind, and the path of its page on the resident site."""
    if kind.startswith("initiative."):
        return {"initiative_id": number}, f"/initiatives/{number}"
    if kind.startswith("idea."):
        return {"round_id": number, "idea_id": number + 1}, f"/ideas/{number + 1}"
    if kind == "round.ideas_opened":
        return {"round_id": number}, f"/rounds/{number}/ideas"
    return {"round_id": number}, f"/rounds/{number}" + ("/results" if "results" in kind else "")


@pytest.mark.parametrize("kind", templates.KINDS)
@pytest.mark.parametrize("language", rules.LANGUAGES)
def test_every_sms_fits_one_cyrillic_segment_with_its_link(kind, language):
    payload, path = _subject(kind, 123456)
    text = templates.sms_text(kind, language, {**payload, "title": {}}, "https://dauys.almaty.kz")
    assert len(text) <= templates.SMS_SEGMENT, text
    assert text.endswith("https://dauys.almaty.kz" + path)


@pytest.mark.parametrize("kind", templates.KINDS)
def test_feed_texts_exist_in_every_language_and_carry_the_subject_title(kind):
    title = {"kk": "Қатысу бюджеті", "ru": "Бюджет участия", "en": "Participatory budget"}
    for language in rules.LANGUAGES:
        message = templates.render(kind, language, {**_subject(kind, 7)[0], "title": title}, "http://x")
        assert title[language] in message.text and message.title
