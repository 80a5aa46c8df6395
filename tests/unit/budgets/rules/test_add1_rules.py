"""Add1's rules against the definition, on fixed elections (no search, so a mutation run sees the same cases
every time): the last whole-unit share whose outcome fits, the exact prices at it, the progress it reports.
The jumps over stretches where the outcome holds are an optimisation; whatever they do, these answers must be
the ones of stepping one unit at a time."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from budgets.rules import Election, tally
from tests.property.test_rule_invariants import paid_in_full, plain_mes


def stepped(election: Election) -> tuple[set[str], Fraction | None]:
    """Add1 by its definition: from budget / n, one unit at a time, the last outcome that fits."""
    supported = [p for p in election.costs if any(p in b for b in election.ballots)]
    if sum(election.costs[p] for p in supported) <= election.budget:
        return set(supported), None
    n = len(election.ballots)
    start, last = Fraction(election.budget, n), None
    # As pabutools, up to a total of budget * (n + 1): past it any supporter can pay for any project alone.
    for share in (start + step for step in range(election.budget + 1)):
        winners = plain_mes(election, share)
        if sum(election.costs[p] for p in winners) > election.budget:
            break
        last = set(winners), share
    return last


def seeded(seed: int) -> Election:
    draw = random.Random(seed)
    ids = [f"p{i}" for i in range(draw.randint(3, 7))]
    budget = draw.randint(40, 240)
    costs = {pid: draw.randint(budget // 10 + 1, budget // 2) for pid in ids}
    ballots = [{pid: 1 for pid in draw.sample(ids, draw.randint(1, 3))} for _ in range(draw.randint(3, 9))]
    return Election(budget=budget, costs=costs, ballots=ballots)


CASES = [seeded(seed) for seed in range(40)]


@pytest.mark.parametrize("election", CASES, ids=[f"seed{seed}" for seed in range(len(CASES))])
def test_add1_is_the_last_whole_unit_share_whose_outcome_fits(election):
    outcome = tally("mes-add1", election)
    winners, share = stepped(election)
    assert (set(outcome.winners), outcome.voter_budget) == (winners, share)
    assert outcome.spent == sum(election.costs[p] for p in winners) <= election.budget
    if share is not None:
        # The prices are exact at the share found: the supporters pay each project's cost to the tenge.
        assert all(isinstance(p.price_per_voter, Fraction) for p in outcome.projects if p.selected)
        assert paid_in_full(election, outcome)


def test_the_cases_cross_stretches_and_changes_of_outcome():
    """The fixed cases are worth their time only if Add1 has to step, jump and stop in them."""
    shares = [stepped(e)[1] for e in CASES]
    raised = [s - Fraction(e.budget, len(e.ballots)) for e, s in zip(CASES, shares) if s is not None]
    assert len(raised) >= 30 and sum(r >= 5 for r in raised) >= 10


def test_progress_is_reported_for_each_outcome_that_fits_and_stays_below_one():
    election = Election(budget=10, costs={"a": 6, "b": 4, "c": 3}, ballots=[{"a": 1}, {"b": 1, "c": 1}])
    reported = []
    outcome = tally("mes-add1", election, progress=reported.append)
    # tally says 1.0 when the count is done; until then each fitting outcome's share of the budget.
    *counting, done = reported
    assert done == 1.0 and all(0 <= value <= 0.99 for value in counting)
    assert counting[-1] == pytest.approx(outcome.spent / election.budget)
    # With a share of 5 only c (3) is bought, at 6 a and c (9): both fit and both are reported, in order.
    assert pytest.approx(0.3) in counting and counting.index(pytest.approx(0.9)) > counting.index(pytest.approx(0.3))


def test_progress_never_reaches_one_before_the_count_ends():
    election = Election(budget=10, costs={"a": 5, "b": 5, "c": 5}, ballots=[{"a": 1}, {"b": 1}, {"a": 1, "c": 1}])
    reported = []
    outcome = tally("mes-add1", election, progress=reported.append)
    assert outcome.spent == 10 and reported[-1] == 1.0 and max(reported[:-1]) == 0.99
