"""Allocation rules of the contract (API.md, "Command line: dauys"), in plain exact Python.

    from budgets.rules import Election, tally
    outcome = tally("mes-add1", Election(budget=100, costs={"a": 60, "b": 50}, ballots=[{"a": 1}]))

Tie-break everywhere: higher score, then more votes, then lower cost, then project id as text.
"""

from __future__ import annotations

from collections.abc import Callable

from .greedy import greedy
from .model import Election, Outcome, ProjectOutcome, UnknownRule

__all__ = ["Election", "Outcome", "ProjectOutcome", "RULES", "UnknownRule", "tally"]

RULES = ("greedy", "greedy-no-skip", "greedy-threshold", "mes", "mes-add1", "mes-add1-greedy")


def tally(rule: str, election: Election, progress: Callable[[float], None] | None = None) -> Outcome:
    """Computes the outcome of `rule`; `progress`, if given, is called with fractions up to 1.0."""
    if rule not in RULES:
        raise UnknownRule(f"unknown rule {rule!r}; known rules: {', '.join(RULES)}")
    if rule.startswith("greedy"):
        outcome = greedy(election, rule)
    else:
        from .mes import equal_shares

        outcome = equal_shares(election, rule, progress)
    if progress is not None:
        progress(1.0)
    return outcome
