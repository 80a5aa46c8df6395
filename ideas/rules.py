"""The rules of residents' ideas, as plain Python: what an idea may say, how staff decide, and how alike two
ideas are (the reviewer's duplicate finder uses the same measure as PostgreSQL's pg_trgm)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from infra.errors import FieldError, RuleBroken, listed

TITLE_LENGTH = (3, 120)
TEXT_LENGTH = (10, 800)
# Per person (the IIN, whatever their phones) and round: enough for a neighbourhood's wishes, not a flood.
IDEAS_PER_RESIDENT = 5
PHOTOS_PER_IDEA = 3
# What Kazakh akimats' participatory budgets fund; "other" keeps the list from refusing a good idea.
CATEGORIES = ("roads", "yards", "parks", "playgrounds", "sports", "lighting", "transport", "accessibility",
              "education", "culture", "health", "environment", "safety", "other")
STATUSES = ("submitted", "accepted", "rejected", "hidden", "merged")
DECISIONS = ("accept", "reject", "hide", "merge")
# The status each decision leaves the idea in.
DECIDED = {"accept": "accepted", "reject": "rejected", "hide": "hidden", "merge": "merged"}
# pg_trgm's default threshold for `%`: the fallback lists the same ideas as PostgreSQL does.
SIMILARITY_THRESHOLD = 0.3

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN = re.compile(r"[A-Za-z]")


def check_length(field: str, value: str, bounds: tuple[int, int]) -> str:
    """The text as written (only the ends trimmed), if its length is within `bounds`."""
    cleaned = value.strip()
    low, high = bounds
    if not cleaned:
        raise RuleBroken("{field}: write something here.", [FieldError(field, "must not be empty")], field=field)
    if not low <= len(cleaned) <= high:
        raise RuleBroken("{field}: between {low} and {high} characters, please; this has {length}.",
                         [FieldError(field, f"must be {low} to {high} characters long")], field=field, low=low,
                         high=high, length=len(cleaned))
    return cleaned


def detect_language(text: str) -> str:
    """kk when the text has a letter only Kazakh uses, ru for other Cyrillic, en for Latin; ru when unsure."""
    if any(letter in KAZAKH_LETTERS for letter in text):
        return "kk"
    cyrillic, latin = len(CYRILLIC.findall(text)), len(LATIN.findall(text))
    return "en" if latin > cyrillic else "ru"


@dataclass(frozen=True)
class Proposal:
    title: str
    text: str
    category: str
    language: str
    lat: float | None
    lon: float | None
    estimated_cost: int | None


def check_proposal(title: str, text: str, category: str, language: str | None, lat: float | None,
                   lon: float | None, estimated_cost: int | None) -> Proposal:
    errors: list[FieldError] = []
    checked: dict[str, str] = {}
    for field, value, bounds in (("title", title, TITLE_LENGTH), ("text", text, TEXT_LENGTH)):
        try:
            checked[field] = check_length(field, value, bounds)
        except RuleBroken as exc:
            errors.extend(exc.errors)
    if category not in CATEGORIES:
        errors.append(FieldError("category", f"must be one of {', '.join(CATEGORIES)}"))
    if language is not None and language not in ("kk", "ru", "en"):
        errors.append(FieldError("language", "must be kk, ru or en"))
    if (lat is None) != (lon is None):
        errors.append(FieldError("location", "give both lat and lon"))
    elif lat is not None and not (40.5 <= lat <= 55.5 and 46.4 <= lon <= 87.4):
        # Kazakhstan's bounding box: a point outside it is a slip of the finger on the map.
        errors.append(FieldError("location", "must be a point in Kazakhstan"))
    if estimated_cost is not None and estimated_cost < 1:
        errors.append(FieldError("estimated_cost", "must be a positive number of tenge"))
    if errors:
        raise RuleBroken("The idea breaks these rules: {rules}", errors, rules=listed(errors))
    written = f"{checked['title']} {checked['text']}"
    return Proposal(checked["title"], checked["text"], category, language or detect_language(written), lat, lon,
                    estimated_cost)


@dataclass(frozen=True)
class Decision:
    decision: str
    reason: dict[str, str]
    cost: int | None
    merge_into: int | None


def check_decision(decision: str, reason: Mapping[str, str] | None, cost: int | None, merge_into: int | None,
                   idea_id: int) -> Decision:
    """Accept needs the reviewed cost; reject, hide and merge need a public reason; merge needs its target."""
    errors: list[FieldError] = []
    if decision not in DECISIONS:
        raise RuleBroken("The decision is one of {decisions}.",
                         [FieldError("decision", f"must be one of {', '.join(DECISIONS)}")],
                         decisions=", ".join(DECISIONS))
    unknown = [lang for lang in reason or {} if lang not in ("kk", "ru", "en")]
    if unknown:
        errors.append(FieldError("reason", "use the keys kk, ru, en"))
    cleaned = {lang: text.strip() for lang, text in (reason or {}).items() if text and text.strip()}
    if decision != "accept" and not (cleaned.get("kk") or cleaned.get("ru")):
        errors.append(FieldError("reason", "a public reason in Kazakh or Russian is needed"))
    if any(len(text) > 800 for text in cleaned.values()):
        errors.append(FieldError("reason", "must be at most 800 characters in each language"))
    if decision == "accept" and (cost is None or cost < 1):
        errors.append(FieldError("cost", "accepting needs the reviewed cost in tenge"))
    if decision == "merge" and merge_into is None:
        errors.append(FieldError("merge_into", "name the idea to merge into"))
    if decision == "merge" and merge_into == idea_id:
        errors.append(FieldError("merge_into", "an idea cannot be merged into itself"))
    if errors:
        raise RuleBroken("The decision is incomplete: {rules}", errors, rules=listed(errors))
    return Decision(decision, cleaned, cost if decision == "accept" else None,
                    merge_into if decision == "merge" else None)


# Many ideas at once get the decisions that need nothing of each idea: accepting needs its cost, merging a target.
BULK_DECISIONS = ("reject", "hide")


def check_bulk_decision(decision: str, reason: Mapping[str, str]) -> Decision:
    if decision not in BULK_DECISIONS:
        raise RuleBroken("Several ideas at once can be rejected or hidden; accept and merge them one by one.",
                         [FieldError("decision", "must be reject or hide")])
    return check_decision(decision, reason, None, None, 0)


def trigrams(text: str) -> set[str]:
    """The trigrams pg_trgm takes from a text: each word, lower-cased, padded with two spaces before and one
    after (so "дом" gives "  д", " до", "дом", "ом ")."""
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())
    grams: set[str] = set()
    for word in words:
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of both."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def encode_cursor(sort: str, supports: int, idea_id: int) -> str:
    return f"{supports}.{idea_id}" if sort == "supports" else str(idea_id)


def decode_cursor(sort: str, cursor: str) -> tuple[int, int]:
    """(supports, id) after which the next page starts; supports is 0 when sorting by newest."""
    parts = cursor.split(".")
    expected = 2 if sort == "supports" else 1
    if len(parts) != expected or not all(part.isdigit() and len(part) <= 10 for part in parts):
        raise RuleBroken("The cursor is not one this list gave out: start again without it.",
                         [FieldError("cursor", "not a cursor of this list")])
    return (int(parts[0]), int(parts[1])) if expected == 2 else (0, int(parts[0]))
