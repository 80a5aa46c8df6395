"""The greedy family: fund projects in order of score while the money lasts.

A project nobody voted for is never funded, even when it would fit: spending public money on
something no resident asked for is not what any of these rules is meant to do.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Election, Money, Outcome, ProjectOutcome, Support


def greedy_pass(
    election: Election,
    support: Support,
    candidates: Iterable[str],
    remaining: Money,
    *,
    stop_at_first_misfit: bool = False,
    threshold: Money | None = None,
) -> tuple[list[ProjectOutcome], Money]:
    """Considers the candidates in the contract's order; returns their outcomes and the money left."""
    results = []
    stopped = False
    for pid in sorted(candidates, key=support.rank_key(election)):
        cost = election.costs[pid]
        if support.votes[pid] == 0:
            reason = "no_votes"
        elif threshold is not None and support.score[pid] < threshold:
            reason = "below_threshold"
        elif stopped:
            reason = "after_stop"
        elif cost <= remaining:
            remaining -= cost
            reason = None
        else:
            reason = "over_budget"
            stopped = stop_at_first_misfit
        results.append(support.outcome(election, pid, reason is None, reason))
    return results, remaining


def greedy(election: Election, rule: str = "greedy") -> Outcome:
    support = Support.of(election)
    threshold = election.min_project_score if rule == "greedy-threshold" else None
    projects, remaining = greedy_pass(
        election,
        support,
        election.costs,
        election.budget,
        stop_at_first_misfit=rule == "greedy-no-skip",
        threshold=threshold,
    )
    winners = [p.project_id for p in projects if p.selected]
    return Outcome(rule=rule, winners=winners, spent=election.budget - remaining, projects=projects)
