"""The rules of initiatives as plain Python: thresholds, text limits, small cells, what the public sees.

No framework here: the services beside this module read the tables and call these functions, and
tests/unit/initiatives checks them alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from infra.errors import FieldError, RuleBroken, listed

STATUSES = ("moderation", "rejected", "collecting", "answer_due", "answered", "expired")
# Published initiatives: who is not the author or staff sees only these.
PUBLIC_STATUSES = ("collecting", "answer_due", "answered", "expired")
SIGNING_STATUSES = ("collecting", "answer_due")
DECISIONS = ("publish", "reject")
ANSWERS = ("accepted", "partly", "declined")

# The epetition.kz figures (2024): a district akimat answers at 5% of its population, at most 2,500
# signatures; an oblast or a city of republican significance at 1%; never fewer than 100.
LOCAL_SHARE, LOCAL_CAP = 5, 2_500
TOP_SHARE = 1
MINIMUM_THRESHOLD = 100
ANSWER_DAYS = 30
COLLECTION_DAYS = 90
MAX_THRESHOLD = 10_000_000
MAX_ANSWER_DAYS = 365

TITLE_LIMITS = (3, 120)
TEXT_LIMITS = (10, 2_000)
ANSWER_LIMITS = (10, 4_000)
REASON_LIMITS = (3, 1_000)
# by_region shows no count from 1 to 4: a handful of signatures could name the neighbours who signed.
SMALL_CELL = 4


def default_threshold(top_level: bool, population: int | None) -> int:
    """The region's threshold when its akimat set none; `top_level` is an oblast or a city of republican
    significance (a KATO code with no parent). An unknown population gives the district figure, 2,500."""
    if population is None:
        return LOCAL_CAP
    if top_level:
        return max(MINIMUM_THRESHOLD, math.ceil(population * TOP_SHARE / 100))
    return max(MINIMUM_THRESHOLD, min(LOCAL_CAP, math.ceil(population * LOCAL_SHARE / 100)))


def _length_error(field: str, value: str, limits: tuple[int, int]) -> FieldError | None:
    low, high = limits
    if "\x00" in value:
        return FieldError(field, "contains a NUL character")
    if not low <= len(value.strip()) <= high:
        return FieldError(field, f"must have {low} to {high} characters")
    return None


def checked_texts(**fields: tuple[str, tuple[int, int]]) -> dict[str, str]:
    """Each field's text stripped, as written otherwise; RuleBroken naming every field out of its limits."""
    errors = [error for name, (value, limits) in fields.items() if (error := _length_error(name, value, limits))]
    if errors:
        raise RuleBroken("{rules}", errors, rules=listed(errors))
    return {name: value.strip() for name, (value, _) in fields.items()}


def checked_localized(field: str, text: dict[str, str], limits: tuple[int, int]) -> dict[str, str]:
    """A {kk, ru, en} text with at least one language, each within `limits`."""
    given = {language: value for language, value in text.items() if value and value.strip()}
    if set(given) - {"kk", "ru", "en"}:
        raise RuleBroken("{field}: the languages are kk, ru and en.", [FieldError(field, "unknown language")],
                         field=field)
    if not given:
        raise RuleBroken("{field} is required, in kk, ru or en.", [FieldError(field, "required")], field=field)
    checked = checked_texts(**{f"{field}.{language}": (value, limits) for language, value in given.items()})
    return {name.partition(".")[2]: value for name, value in checked.items()}


@dataclass(frozen=True)
class RegionRules:
    """What an akimat set for its initiatives; None is "the default"."""

    initiative_threshold: int | None = None
    answer_days: int = ANSWER_DAYS
    hearing_threshold: int | None = None
    ballot_threshold: int | None = None


def check_region_rules(rules: RegionRules) -> RegionRules:
    """Counts within bounds, and each escalation above the one before it (answer, hearing, ballot)."""
    errors = []
    for field in ("initiative_threshold", "hearing_threshold", "ballot_threshold"):
        value = getattr(rules, field)
        if value is not None and not 1 <= value <= MAX_THRESHOLD:
            errors.append(FieldError(field, f"must be 1 to {MAX_THRESHOLD}"))
    if not 1 <= rules.answer_days <= MAX_ANSWER_DAYS:
        errors.append(FieldError("answer_days", f"must be 1 to {MAX_ANSWER_DAYS}"))
    ladder = [(f, getattr(rules, f)) for f in ("initiative_threshold", "hearing_threshold", "ballot_threshold")]
    for (lower_name, lower), (field, value) in zip(ladder, ladder[1:]):
        if lower is not None and value is not None and value <= lower:
            errors.append(FieldError(field, f"must be above {lower_name}"))
    if errors:
        raise RuleBroken("{rules}", errors, rules=listed(errors))
    return rules


def suppress_small_cells(cells: dict[str, int], total: int) -> dict[str, int | None]:
    """Counts per region with 1 to 4 shown as None, and no hidden count derivable by subtraction.

    The signatures outside every listed region (signers registered in the addressee region itself) are the
    total minus the cells: a further unknown. When a small count would be the only unknown, the smallest
    shown count is hidden too, so that the total minus the shown cells is a sum of two unknowns.
    """
    shown: dict[str, int | None] = {kato: (None if 1 <= n <= SMALL_CELL else n) for kato, n in cells.items()}
    hidden = [kato for kato, n in shown.items() if n is None]
    remainder = total - sum(cells.values())
    unknowns = len(hidden) + (remainder > 0)
    small = bool(hidden) or 1 <= remainder <= SMALL_CELL
    if small and unknowns == 1:
        positive = sorted((n, kato) for kato, n in shown.items() if n)
        if positive:
            shown[positive[0][1]] = None
    return shown


def public_status(status: str, closes_at: datetime | None, now: datetime) -> str:
    """The status as of `now`: a collection past its end is expired before the scheduler's sweep says so."""
    if status == "collecting" and closes_at is not None and now >= closes_at:
        return "expired"
    return status


def reached(signatures: int, threshold: int | None) -> bool:
    """Whether an escalation threshold (a hearing, the next round's ballot) is set and reached."""
    return threshold is not None and signatures >= threshold


def answer_overdue(status: str, answer_due_at: datetime | None, now: datetime) -> bool:
    return status == "answer_due" and answer_due_at is not None and now > answer_due_at


# The surge scan (initiatives.surges): windows of signatures compared with the initiative's own recent past.
SURGE_WINDOW_MINUTES = 10
BASELINE_WINDOWS = 6
SURGE_MINIMUM = 20
SURGE_FACTOR = 5
# One device behind this many signers, or one address behind this many and this share of a window's.
DEVICE_SIGNERS = 5
ORIGIN_SIGNERS = 20
ORIGIN_SHARE = 0.5


def is_surge(count: int, previous: list[int]) -> bool:
    """A window far above the median of the windows before it: an evening's interest rises, a bot jumps."""
    baseline = sorted(previous)[len(previous) // 2] if previous else 0
    return count >= SURGE_MINIMUM and count > SURGE_FACTOR * max(baseline, 1)


def crowded_sources(kind: str, by_source: dict[str, int], total: int) -> list[str]:
    """The devices (kind "device") or addresses ("origin") behind too many of a window's signers."""
    if kind == "device":
        return sorted(source for source, n in by_source.items() if n >= DEVICE_SIGNERS)
    return sorted(source for source, n in by_source.items()
                  if n >= ORIGIN_SIGNERS and n / max(total, 1) >= ORIGIN_SHARE)
