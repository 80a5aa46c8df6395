"""The data a rule reads and the outcome it returns.

Money and points are kept exact (int or Fraction) because a single rounding error can flip a tie
and change who wins. Floats are refused at the door instead of silently converted, since
Fraction(0.1) is not one tenth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from numbers import Rational
from typing import Literal

Money = int | Fraction

Reason = Literal["over_budget", "supporters_cannot_pay", "below_threshold", "no_votes", "after_stop"]


class UnknownRule(ValueError):
    """Raised by `tally` for a rule name that is not in RULES."""


def exact(value: object, what: str) -> Money:
    """An int, or a Fraction when the value is not integral; anything inexact is an error."""
    # Decimal is exact too, though not a Rational.
    if isinstance(value, bool) or not isinstance(value, (int, Rational, Decimal)):
        raise TypeError(f"{what} must be an int or a Fraction, not {type(value).__name__}")
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else value


@dataclass(frozen=True)
class Election:
    """One participatory-budgeting vote.

    Each ballot maps project ids to points: 1 for approval and knapsack ballots, the points given
    for points ballots. A project named with 0 points counts as not named.
    """

    budget: Money
    costs: Mapping[str, Money]
    ballots: Sequence[Mapping[str, int]]
    min_project_score: Money | None = None

    def __post_init__(self) -> None:
        budget = exact(self.budget, "budget")
        if budget < 0:
            raise ValueError("budget must not be negative")
        costs: dict[str, Money] = {}
        for pid, cost in self.costs.items():
            cost = exact(cost, f"cost of project {pid!r}")
            if cost < 0:
                raise ValueError(f"cost of project {pid!r} must not be negative")
            costs[str(pid)] = cost
        ballots = []
        for i, ballot in enumerate(self.ballots):
            clean: dict[str, int] = {}
            for pid, points in ballot.items():
                if pid not in costs:
                    raise ValueError(f"ballot {i} names unknown project {pid!r}")
                if isinstance(points, bool) or not isinstance(points, int) or points < 0:
                    raise ValueError(f"ballot {i} gives project {pid!r} invalid points {points!r}")
                if points:
                    clean[pid] = points
            ballots.append(clean)
        threshold = self.min_project_score
        if threshold is not None:
            threshold = exact(threshold, "min_project_score")
        object.__setattr__(self, "budget", budget)
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "ballots", tuple(ballots))
        object.__setattr__(self, "min_project_score", threshold)


@dataclass
class ProjectOutcome:
    project_id: str
    votes: int
    score: int
    selected: bool
    cost: Money
    reason: Reason | None = None
    # For MES winners: what each supporter who paid in full paid for the project (rho * cost
    # with cost utilities); supporters who ran out paid all they had left, which is less.
    price_per_voter: Fraction | None = None


@dataclass
class Outcome:
    rule: str
    winners: list[str]
    spent: Money
    projects: list[ProjectOutcome]
    # For MES rules: the budget each voter started with in the run that produced the outcome
    # (budget / voters for `mes`, raised by whole units for the Add1 variants).
    voter_budget: Fraction | None = field(default=None)


@dataclass(frozen=True)
class Support:
    """Per-project counts every rule needs, and the contract's tie-break order."""

    votes: dict[str, int]
    score: dict[str, int]

    @classmethod
    def of(cls, election: Election) -> Support:
        votes = dict.fromkeys(election.costs, 0)
        score = dict.fromkeys(election.costs, 0)
        for ballot in election.ballots:
            for pid, points in ballot.items():
                votes[pid] += 1
                score[pid] += points
        return cls(votes, score)

    def rank_key(self, election: Election):
        """More score, then more votes, then lower cost, then id: the contract's tie-break.

        Score comes first so that greedy orders points ballots by points; for approval ballots
        score and votes are the same number.
        """
        costs = election.costs
        return lambda pid: (-self.score[pid], -self.votes[pid], costs[pid], pid)

    def outcome(self, election: Election, pid: str, selected: bool, reason: Reason | None) -> ProjectOutcome:
        return ProjectOutcome(
            project_id=pid,
            votes=self.votes[pid],
            score=self.score[pid],
            selected=selected,
            cost=election.costs[pid],
            reason=None if selected else reason,
        )
