"""What a valid ballot is: the vote methods of a round and the check of one ballot against them.

Plain Python (no framework), so that the same rules serve the mobile API, paper-ballot entry and imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from infra.errors import FieldError, RuleBroken, listed
from infra.i18n import R_

METHODS = ("approval", "knapsack", "points")
# What a stored ballot can be: only `counted` ballots are in the count.
BALLOT_STATUSES = ("counted", "superseded", "quarantined", "invalidated")

# Reading a big round's ballots is mostly decoding 100,000 small JSON arrays: a typed msgspec decoder
# does it in well under half the time json.loads takes.
_decode_choices = msgspec.json.Decoder(list[list[int]]).decode


def stored_choices(value: Any) -> list[list[int]]:
    """A ballot's choices as stored, [[project_id, points], ...]: SQLite gives the JSON text, PostgreSQL
    (or Piccolo with load_json) the decoded list."""
    return _decode_choices(value) if isinstance(value, str | bytes) else value


class BallotRejected(RuleBroken):
    """A well-formed ballot that breaks the round's vote rules."""

    def __init__(self, errors: Sequence[FieldError]):
        super().__init__(R_("The ballot breaks the round's vote rules: {rules}"), errors, rules=listed(errors, ": "))


class InvalidVoteRules(RuleBroken):
    """Vote rules that no ballot could satisfy or that contradict each other."""

    def __init__(self, errors: Sequence[FieldError]):
        super().__init__(R_("The vote rules contradict each other: {rules}"), errors, rules=listed(errors, ": "))


@dataclass(frozen=True)
class VoteRules:
    method: str
    min_choices: int | None = None
    max_choices: int | None = None
    max_cost: int | None = None
    points_total: int | None = None

    def effective_min_choices(self) -> int:
        return self.min_choices if self.min_choices is not None else 1

    def effective_max_cost(self, budget: int) -> int:
        return self.max_cost if self.max_cost is not None else budget


@dataclass(frozen=True)
class Choice:
    project_id: int
    points: int | None = None


def check_vote_rules(rules: VoteRules, budget: int) -> VoteRules:
    """Refuse rules that contradict each other; return them with the method's defaults filled in."""
    errors: list[FieldError] = []
    if rules.method not in METHODS:
        errors.append(FieldError("vote.method", f"must be one of {', '.join(METHODS)}"))
    for name in ("min_choices", "max_choices"):
        value = getattr(rules, name)
        if value is not None and value < 1:
            errors.append(FieldError(f"vote.{name}", "must be at least 1"))
    if (
        rules.min_choices is not None
        and rules.max_choices is not None
        and rules.min_choices > rules.max_choices
    ):
        errors.append(FieldError("vote.min_choices", "must not exceed vote.max_choices"))
    if rules.method == "knapsack":
        if rules.max_cost is not None and rules.max_cost < 1:
            errors.append(FieldError("vote.max_cost", "must be a positive amount of tenge"))
    elif rules.max_cost is not None:
        errors.append(FieldError("vote.max_cost", "applies only to the knapsack method"))
    if rules.method == "points":
        if rules.points_total is None or rules.points_total < 1:
            errors.append(FieldError("vote.points_total", "the points method needs a positive points_total"))
        elif rules.points_total < rules.effective_min_choices():
            errors.append(
                FieldError("vote.points_total", "must be at least min_choices: each chosen project gets a point")
            )
    elif rules.points_total is not None:
        errors.append(FieldError("vote.points_total", "applies only to the points method"))
    if budget < 1:
        errors.append(FieldError("budget", "must be a positive amount of tenge"))
    if errors:
        raise InvalidVoteRules(errors)
    if rules.method == "approval" and rules.min_choices is None:
        return VoteRules("approval", 1, rules.max_choices)
    return rules


def check_ballot(
    rules: VoteRules, budget: int, choices: Sequence[Choice], costs: Mapping[int, int]
) -> list[tuple[int, int]]:
    """The ballot as (project id, points) pairs, or BallotRejected naming every broken rule.

    `costs` holds the projects of the round; approval and knapsack choices carry 1 point each.
    """
    errors: list[FieldError] = []
    seen: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for index, choice in enumerate(choices):
        where = f"choices[{index}]"
        if choice.project_id not in costs:
            errors.append(FieldError(f"{where}.project_id", f"project {choice.project_id} is not in this round"))
        elif choice.project_id in seen:
            errors.append(FieldError(f"{where}.project_id", f"project {choice.project_id} is chosen twice"))
        seen.add(choice.project_id)
        if rules.method == "points":
            if choice.points is None:
                errors.append(FieldError(f"{where}.points", "give each chosen project its points"))
            elif choice.points < 1:
                errors.append(FieldError(f"{where}.points", "points must be a whole number of at least 1"))
        elif choice.points is not None:
            errors.append(FieldError(f"{where}.points", f"points are not used with the {rules.method} method"))
        pairs.append((choice.project_id, choice.points if rules.method == "points" else 1))

    count = len(choices)
    minimum = rules.effective_min_choices()
    if count < minimum:
        errors.append(FieldError("choices", f"choose at least {minimum} project(s); this ballot has {count}"))
    if rules.max_choices is not None and count > rules.max_choices:
        errors.append(
            FieldError("choices", f"choose at most {rules.max_choices} project(s); this ballot has {count}")
        )
    if rules.method == "knapsack" and not errors:
        total = sum(costs[pid] for pid, _ in pairs)
        limit = rules.effective_max_cost(budget)
        if total > limit:
            errors.append(
                FieldError("choices", f"the chosen projects cost {total} tenge together, over the limit of {limit}")
            )
    if rules.method == "points" and not errors:
        total = sum(points for _, points in pairs)
        if total != rules.points_total:
            errors.append(
                FieldError("choices", f"spread exactly {rules.points_total} points; this ballot gives {total}")
            )
    if errors:
        raise BallotRejected(errors)
    return pairs
