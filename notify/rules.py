"""The rules of delivery as plain Python: quiet hours, retry backoff, the daily SMS cap, preference checks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from core.clock import KAZAKHSTAN
from infra.errors import FieldError, RuleBroken

LANGUAGES = ("kk", "ru", "en")
# A resident hears of at most this many things a day by SMS; the feed still shows the rest.
SMS_PER_DAY = 5
# After this many failed attempts a delivery (or an event's fan-out) is dead: staff see it, nobody retries it.
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ... at most an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def parse_time(value: str, field: str) -> int:
    """'22:00' → minutes after midnight; RuleBroken (422) naming `field` otherwise."""
    match = _TIME.match(value)
    if not match:
        raise RuleBroken("{field} must be a time of day as HH:MM (00:00 to 23:59), not {value!r}.",
                         [FieldError(field, "expected HH:MM")], field=field, value=value)
    return int(match[1]) * 60 + int(match[2])


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise RuleBroken("language must be one of {languages}, not {language!r}.",
                         [FieldError("language", "expected kk, ru or en")], languages=", ".join(LANGUAGES),
                         language=language[:16])
    return language


def quiet_until(now: datetime, quiet_from: int | None, quiet_to: int | None) -> datetime | None:
    """When the quiet hours that hold at `now` end (an aware datetime), or None outside them.

    Quiet hours are minutes of the day in Kazakhstan time (UTC+5, one zone since March 2024) and may run
    past midnight (22:00 to 08:00).
    """
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return None
    local = now.astimezone(KAZAKHSTAN)
    minute = local.hour * 60 + local.minute
    inside = quiet_from <= minute < quiet_to if quiet_from < quiet_to else (minute >= quiet_from or minute < quiet_to)
    if not inside:
        return None
    end = local.replace(hour=quiet_to // 60, minute=quiet_to % 60, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end
