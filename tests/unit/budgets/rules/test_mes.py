from fractions import Fraction

from budgets.rules import Election, tally


def approval(*ballots: str) -> list[dict[str, int]]:
    return [dict.fromkeys(ballot, 1) for ballot in ballots]


def by_id(outcome):
    return {p.project_id: p for p in outcome.projects}


def test_mes_hand_checked():
    # 4 voters with 10 each. a (cost 20, voters 1-3): price 20/3 each, rho 1/3.
    # b (cost 12, voters 3-4): price 6, rho 1/2. c (cost 12, voter 4 alone): unaffordable.
    election = Election(budget=40, costs={"a": 20, "b": 12, "c": 12}, ballots=approval("a", "a", "ab", "bc"))
    outcome = tally("mes", election)
    assert outcome.winners == ["a", "b"]
    projects = by_id(outcome)
    assert projects["a"].price_per_voter == Fraction(20, 3)
    # After a, voter 3 has 10/3 left and pays it all; voter 4 pays the rest.
    assert projects["b"].price_per_voter == 12 - Fraction(10, 3)
    assert projects["c"].reason == "supporters_cannot_pay"
    assert outcome.spent == 32
    assert outcome.voter_budget == 10


def test_mes_is_proportional_where_greedy_is_not():
    # 3 voters want x and y, 1 voter wants z; all cost 25 of 100.
    election = Election(budget=100, costs={"x": 50, "y": 50, "z": 50}, ballots=approval("xy", "xy", "xy", "z"))
    assert tally("greedy", election).winners == ["x", "y"]
    assert tally("mes", election).winners == ["x"]


def test_equal_rho_ties_go_to_votes_then_cost_then_id():
    election = Election(budget=20, costs={"b": 10, "a": 10}, ballots=approval("a", "b"))
    assert tally("mes", election).winners == ["a", "b"]
    election = Election(budget=20, costs={"a": 10, "b": 5}, ballots=approval("a", "b"))
    # Same rho (each supporter pays its whole project): the cheaper project goes first.
    assert tally("mes", election).winners[0] == "b"


def test_zero_votes_and_too_expensive_projects():
    election = Election(budget=10, costs={"a": 5, "nobody": 1, "h": 11}, ballots=approval("a", "ah"))
    for rule in ("mes", "mes-add1", "mes-add1-greedy"):
        outcome = tally(rule, election)
        assert outcome.winners == ["a"]
        assert by_id(outcome)["nobody"].reason == "no_votes"
        assert not by_id(outcome)["h"].selected


def test_single_voter_buys_in_order_of_cost_utility():
    election = Election(budget=10, costs={"a": 6, "b": 5, "c": 4}, ballots=approval("abc"))
    # One voter: every rho is 1 (it pays the whole cost), ties by cost: c, b, then a does not fit.
    assert tally("mes", election).winners == ["c", "b"]


def test_add1_raises_the_share_until_the_next_outcome_would_not_fit():
    # 2 voters, budget 10 (5 each). Voter 1 wants a (6), voter 2 wants b (4) and c (3).
    election = Election(budget=10, costs={"a": 6, "b": 4, "c": 3}, ballots=approval("a", "bc"))
    assert tally("mes", election).winners == ["c"]  # c costs 3 of voter 2's 5; b then costs 4 > 2
    outcome = tally("mes-add1", election)
    # Share 6: a (voter 1) and c, b does not fit voter 2 (6 - 3 < 4): {a, c} costs 9 <= 10.
    # Share 7: a, c and b (3 + 4 = 7) would cost 13 > 10, so Add1 stops at share 6.
    assert set(outcome.winners) == {"a", "c"}
    assert outcome.voter_budget == 6
    assert outcome.spent == 9
    # The greedy completion then looks at b: 4 does not fit the 1 left.
    greedy = tally("mes-add1-greedy", election)
    assert greedy.winners == outcome.winners
    assert by_id(greedy)["b"].reason == "over_budget"


def test_add1_greedy_fills_what_is_left():
    election = Election(budget=10, costs={"a": 6, "b": 4, "c": 3, "d": 1}, ballots=approval("a", "bc", "d", "d"))
    add1 = tally("mes-add1", election)
    outcome = tally("mes-add1-greedy", election)
    assert outcome.winners[: len(add1.winners)] == add1.winners
    assert outcome.spent == sum(election.costs[p] for p in outcome.winners) <= 10
    assert set(outcome.winners) - set(add1.winners) <= {"b", "d"}


def test_when_everything_fits_add1_selects_every_supported_project():
    election = Election(budget=100, costs={"a": 30, "b": 30, "c": 30, "d": 5}, ballots=approval("a", "ab", "c"))
    outcome = tally("mes-add1", election)
    assert set(outcome.winners) == {"a", "b", "c"}
    assert by_id(outcome)["d"].reason == "no_votes"


def test_free_projects_are_bought_first():
    election = Election(budget=10, costs={"a": 10, "free": 0}, ballots=[{"a": 1}, {"a": 1, "free": 1}])
    outcome = tally("mes", election)
    assert outcome.winners == ["free", "a"]
    assert by_id(outcome)["free"].price_per_voter == 0


def test_points_ballots_weigh_payments_by_points():
    # One voter gives a 3 points, another 1 point: with utility points * cost the first pays
    # three times as much per unit of rho. Price per point q: 3q + q = 8, so q = 2.
    election = Election(budget=20, costs={"a": 8}, ballots=[{"a": 3}, {"a": 1}])
    outcome = tally("mes", election)
    assert outcome.winners == ["a"]
    assert by_id(outcome)["a"].price_per_voter == 2
    assert by_id(outcome)["a"].score == 4 and by_id(outcome)["a"].votes == 2


def test_points_ballot_where_the_rich_supporter_covers_the_poor_one():
    # Voter 1 has 5, voter 2 has 5; voter 1 gives 1 point to a, voter 2 gives 4 points.
    # Price per point q with 1*q + min(5, 4q) = 6: q = 1.2 gives 1.2 + 4.8 = 6.
    election = Election(budget=10, costs={"a": 6}, ballots=[{"a": 1}, {"a": 4}])
    assert by_id(tally("mes", election))["a"].price_per_voter == Fraction(6, 5)
    election = Election(budget=10, costs={"a": 9}, ballots=[{"a": 1}, {"a": 4}])
    # 9: voter 2 pays all 5 (4q > 5 when q = 4), voter 1 pays q = 4.
    assert by_id(tally("mes", election))["a"].price_per_voter == 4


def test_empty_ballots_count_as_voters():
    # Two voters, one votes for nothing: the supporter alone has 5 of the 10, not enough for a.
    election = Election(budget=10, costs={"a": 6}, ballots=[{"a": 1}, {}])
    assert tally("mes", election).winners == []
    # Add1: at share 6 the supporter can pay; that costs 6 <= 10, and nothing else exists.
    assert tally("mes-add1", election).winners == ["a"]


def tie_that_holds(scale: int) -> Election:
    """Projects 4 and 2 are each paid in full by their two supporters, at rho 1/2 for any share in a
    long stretch: the tie-break decides their order everywhere, and Add1 must see that at once."""
    costs = {"1": 20 * scale, "2": 15 * scale, "3": 30 * scale, "4": 5 * scale, "5": 12 * scale}
    return Election(budget=50 * scale, costs=costs,
                    ballots=approval("1", "24", "13", "1", "5", "12", "1", "34", "1"))


def test_add1_with_a_lasting_tie_matches_stepping_one_unit_at_a_time():
    from tests.property.test_rule_invariants import plain_add1

    election = tie_that_holds(1)
    assert set(tally("mes-add1", election).winners) == plain_add1(election) == {"1", "2", "4"}


def test_add1_jumps_over_a_lasting_tie_in_a_city_sized_budget(monkeypatch):
    """At 50 million tenge the stretch is millions of units long: it is crossed in a few jumps, not
    unit by unit (a count of the engine's runs, not a timing)."""
    from budgets.rules import shares

    runs = []
    real_run = shares.SharesEngine.run
    monkeypatch.setattr(shares.SharesEngine, "run", lambda self, *a, **k: runs.append(1) or real_run(self, *a, **k))
    outcome = tally("mes-add1", tie_that_holds(1_000_000))
    assert outcome.winners == ["1", "4", "2"]
    # Each voter's budget stops one unit short of 12 million, where project 5's only supporter could pay it.
    assert 12_000_000 - 1 <= outcome.voter_budget < 12_000_000
    assert len(runs) < 100


def test_free_projects_come_first_in_rank_order_and_a_unit_cost_is_not_free():
    # Free projects are bought first, by the rule's order (more votes first), whatever their ids; a project
    # costing one unit is bought with shares like any other.
    election = Election(budget=10, costs={"a": 0, "b": 0, "c": 1, "d": 6},
                        ballots=approval("abd", "bc", "bd", "d"))
    for rule in ("mes", "mes-add1"):
        outcome = tally(rule, election)
        assert outcome.winners[:2] == ["b", "a"], rule
        assert set(outcome.winners) == {"a", "b", "c", "d"}
        assert all(p.selected is True and p.reason is None for p in outcome.projects)
    projects = by_id(tally("mes", election))
    assert projects["a"].price_per_voter == 0 and projects["c"].price_per_voter == 1


def test_add1_says_directly_when_every_supported_project_fits_the_budget_exactly():
    election = Election(budget=30, costs={"a": 10, "b": 20, "c": 5}, ballots=approval("a", "ab", "b", "b"))
    outcome = tally("mes-add1", election)
    assert outcome.winners == ["b", "a"] and outcome.spent == 30
    # Every supported project fits: no share was raised, so none is reported, nor any price.
    assert outcome.voter_budget is None
    assert [p.price_per_voter for p in outcome.projects if p.selected] == [None, None]
    assert by_id(outcome)["c"].reason == "no_votes"
