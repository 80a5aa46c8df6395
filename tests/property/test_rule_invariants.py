"""Invariants of every rule on small random elections, and the fast MES against a plain one."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.rules import RULES, Election, tally


@st.composite
def elections(draw, points: bool | None = None):
    ids = [f"p{i}" for i in range(draw(st.integers(1, 6)))]
    costs = {pid: draw(st.integers(1, 30)) for pid in ids}
    if points is None:
        points = draw(st.booleans())
    value = st.integers(1, 3) if points else st.just(1)
    ballots = draw(st.lists(st.dictionaries(st.sampled_from(ids), value, max_size=len(ids)), min_size=1, max_size=8))
    budget = draw(st.integers(1, 60))
    threshold = draw(st.none() | st.integers(0, 4))
    return Election(budget=budget, costs=costs, ballots=ballots, min_project_score=threshold)


def plain_mes(election: Election, share: Fraction) -> list[str]:
    """MES written as directly as possible: every voter, every project, every step."""
    budgets = [Fraction(share)] * len(election.ballots)
    votes = {p: sum(p in b for b in election.ballots) for p in election.costs}
    score = {p: sum(b.get(p, 0) for b in election.ballots) for p in election.costs}
    left = {p for p in election.costs if votes[p]}
    winners = [p for p in sorted(left, key=lambda p: (-score[p], -votes[p], 0, p)) if election.costs[p] == 0]
    left -= set(winners)
    while True:
        best = None
        for p in left:
            cost = election.costs[p]
            supporters = [(budgets[i], b[p]) for i, b in enumerate(election.ballots) if p in b]
            if sum(money for money, _ in supporters) < cost:
                continue
            # Smallest q with sum(min(money, q * w)) >= cost: try each voter's money / w as a
            # breakpoint, and solve linearly between breakpoints.
            for q in sorted({money / w for money, w in supporters} | {Fraction(0)}):
                if sum(min(money, q * w) for money, w in supporters) >= cost:
                    break
                below = q
            rich = sum(w for money, w in supporters if money / w > below)
            poor = sum(money for money, w in supporters if money / w <= below)
            q = Fraction(cost - poor) / rich
            key = (q / cost, -score[p], -votes[p], cost, p)
            if best is None or key < best[0]:
                best = (key, p, q)
        if best is None:
            return winners
        _, p, q = best
        winners.append(p)
        left.discard(p)
        for i, b in enumerate(election.ballots):
            if p in b:
                budgets[i] -= min(budgets[i], q * b[p])


def plain_add1(election: Election) -> set[str]:
    n = len(election.ballots)
    supported = [p for p in election.costs if any(p in b for b in election.ballots)]
    if sum(election.costs[p] for p in supported) <= election.budget:
        return set(supported)
    share, last = Fraction(election.budget, n), None
    while True:
        winners = plain_mes(election, share)
        if sum(election.costs[p] for p in winners) > election.budget:
            return last
        last, share = set(winners), share + 1


@settings(max_examples=150, deadline=None)
@given(elections())
def test_never_over_budget_and_spent_adds_up(election):
    for rule in RULES:
        outcome = tally(rule, election)
        assert outcome.spent == sum(election.costs[p] for p in outcome.winners) <= election.budget
        assert len(set(outcome.winners)) == len(outcome.winners)
        assert sorted(p.project_id for p in outcome.projects) == sorted(election.costs)
        assert {p.project_id for p in outcome.projects if p.selected} == set(outcome.winners)
        assert all((p.reason is None) == p.selected for p in outcome.projects)


@settings(max_examples=150, deadline=None)
@given(elections())
def test_greedy_takes_every_project_that_fits_in_order(election):
    outcome = tally("greedy", election)
    remaining = election.budget
    for p in outcome.projects:
        if p.selected:
            remaining -= p.cost
        elif p.votes:
            assert p.reason == "over_budget" and p.cost > remaining
    no_skip = tally("greedy-no-skip", election)
    assert outcome.winners[: len(no_skip.winners)] == no_skip.winners
    threshold = tally("greedy-threshold", election)
    limit = election.min_project_score or 0
    assert all(p.score >= limit for p in threshold.projects if p.selected)


def paid_in_full(election: Election, outcome) -> bool:
    """Each selected project's supporters, paying its price in the rule's order, pay its cost exactly, and
    no voter pays more than their share."""
    left = [outcome.voter_budget] * len(election.ballots)
    for project in (p for p in outcome.projects if p.selected):
        paid = 0
        for i, ballot in enumerate(election.ballots):
            if project.project_id in ballot:
                pay = min(left[i], project.price_per_voter * ballot[project.project_id])
                left[i] -= pay
                paid += pay
        if paid != project.cost:
            return False
    return all(money >= 0 for money in left)


@settings(max_examples=150, deadline=None)
@given(elections())
def test_mes_payments_cover_costs_and_stay_within_each_share(election):
    for rule in ("mes", "mes-add1"):
        outcome = tally(rule, election)
        if outcome.voter_budget is None:
            continue
        assert paid_in_full(election, outcome)


# Points ballots where one voter class is left with exactly its price times its points: rounding once made
# the price search flip that class in and out of the poor ones for ever.
BALANCED_ON_A_KNIFE_EDGE = Election(
    budget=400, costs={"p0": 200, "p1": 230, "p2": 300, "p3": 70},
    ballots=[{"p2": 2}, {"p3": 3, "p0": 4, "p2": 4, "p1": 1}, {"p3": 3, "p0": 1, "p2": 1, "p1": 3},
             {"p3": 4, "p1": 3, "p2": 1}, {"p3": 3, "p1": 4}, {"p0": 3, "p2": 5, "p3": 4},
             {"p2": 3, "p0": 4, "p3": 2, "p1": 1}, {"p1": 3, "p2": 3}, {"p0": 4, "p3": 3},
             {"p3": 5, "p1": 4, "p2": 5, "p0": 5}, {"p0": 1}, {"p1": 5, "p2": 4}],
)


@settings(max_examples=200, deadline=None)
@given(elections())
def test_mes_matches_a_plain_implementation(election):
    share = Fraction(election.budget, len(election.ballots))
    assert tally("mes", election).winners == plain_mes(election, share)


@settings(max_examples=100, deadline=None)
@given(elections(points=False))
def test_add1_matches_stepping_one_unit_at_a_time(election):
    assert set(tally("mes-add1", election).winners) == plain_add1(election)


def test_add1_on_a_knife_edge_ends_and_matches_the_plain_one():
    assert set(tally("mes-add1", BALANCED_ON_A_KNIFE_EDGE).winners) == plain_add1(BALANCED_ON_A_KNIFE_EDGE)
