from fractions import Fraction

import pytest

from budgets.rules import RULES, Election, UnknownRule, tally


def approval(*ballots: str) -> list[dict[str, int]]:
    """Ballots written as strings of one-letter project ids: "ab" approves a and b."""
    return [dict.fromkeys(ballot, 1) for ballot in ballots]


def reasons(outcome):
    return {p.project_id: p.reason for p in outcome.projects}


def test_greedy_takes_by_votes_and_skips_what_does_not_fit():
    election = Election(budget=10, costs={"a": 6, "b": 5, "c": 4}, ballots=approval("ab", "a", "a", "bc"))
    outcome = tally("greedy", election)
    # a (3 votes), then b (2 votes) does not fit after a; c (1 vote) does.
    assert outcome.winners == ["a", "c"]
    assert outcome.spent == 10
    assert [p.project_id for p in outcome.projects] == ["a", "b", "c"]
    assert reasons(outcome) == {"a": None, "b": "over_budget", "c": None}
    assert outcome.rule == "greedy"


def test_greedy_no_skip_stops_at_the_first_misfit():
    election = Election(budget=10, costs={"a": 6, "b": 5, "c": 4}, ballots=approval("ab", "a", "a", "bc"))
    outcome = tally("greedy-no-skip", election)
    assert outcome.winners == ["a"]
    assert outcome.spent == 6
    assert reasons(outcome) == {"a": None, "b": "over_budget", "c": "after_stop"}


def test_ties_go_to_lower_cost_then_to_the_lower_id():
    election = Election(budget=5, costs={"b": 5, "a": 5, "c": 4}, ballots=approval("abc"))
    # All have one vote: c is cheapest; then a before b by id, and only c fits next to nothing else.
    assert [p.project_id for p in tally("greedy", election).projects] == ["c", "a", "b"]
    assert tally("greedy", election).winners == ["c"]
    election = Election(budget=5, costs={"b": 5, "a": 5}, ballots=approval("ab"))
    assert tally("greedy", election).winners == ["a"]


def test_project_ids_compare_as_text():
    election = Election(budget=1, costs={"10": 1, "9": 1}, ballots=approval(["10", "9"]))
    assert tally("greedy", election).winners == ["10"]


def test_projects_without_votes_are_never_funded():
    election = Election(budget=100, costs={"a": 10, "z": 1}, ballots=approval("a"))
    outcome = tally("greedy", election)
    assert outcome.winners == ["a"]
    assert reasons(outcome)["z"] == "no_votes"
    assert [p.votes for p in outcome.projects] == [1, 0]


def test_a_project_costing_more_than_the_budget_is_skipped():
    election = Election(budget=10, costs={"big": 11, "small": 3}, ballots=approval(["big"], ["big"], ["small"]))
    outcome = tally("greedy", election)
    assert outcome.winners == ["small"]
    assert reasons(outcome)["big"] == "over_budget"
    assert tally("greedy-no-skip", election).winners == []


def test_single_voter():
    election = Election(budget=7, costs={"a": 3, "b": 4, "c": 1}, ballots=approval("abc"))
    assert tally("greedy", election).winners == ["c", "a"]


def test_threshold_filters_by_score():
    election = Election(
        budget=100, costs={"a": 10, "b": 10, "c": 10}, ballots=approval("ab", "ab", "a"), min_project_score=2
    )
    outcome = tally("greedy-threshold", election)
    assert outcome.winners == ["a", "b"]
    election = Election(budget=100, costs=election.costs, ballots=election.ballots, min_project_score=3)
    outcome = tally("greedy-threshold", election)
    assert outcome.winners == ["a"]
    assert reasons(outcome) == {"a": None, "b": "below_threshold", "c": "no_votes"}
    # Without a threshold the rule is plain greedy.
    assert tally("greedy-threshold", Election(budget=100, costs={"a": 1}, ballots=approval("a"))).winners == ["a"]


def test_points_ballots_rank_by_points_then_votes():
    ballots = [{"a": 3, "b": 1}, {"b": 2}, {"c": 3}, {"c": 1}]
    election = Election(budget=10, costs={"a": 5, "b": 5, "c": 5}, ballots=ballots)
    outcome = tally("greedy", election)
    # a, b and c all score 3 or 4: c has 4 points, b has 3 points from 2 voters, a 3 points from 1.
    assert [(p.project_id, p.score, p.votes) for p in outcome.projects] == [("c", 4, 2), ("b", 3, 2), ("a", 3, 1)]
    assert outcome.winners == ["c", "b"]


def test_threshold_applies_to_points():
    ballots = [{"a": 3}, {"b": 1}, {"b": 1}]
    election = Election(budget=10, costs={"a": 5, "b": 5}, ballots=ballots, min_project_score=3)
    assert tally("greedy-threshold", election).winners == ["a"]


def test_fractional_money_is_exact():
    election = Election(
        budget=Fraction("0.3"), costs={"a": Fraction("0.1"), "b": Fraction("0.2")}, ballots=approval("ab")
    )
    outcome = tally("greedy", election)
    assert outcome.winners == ["a", "b"]
    assert outcome.spent == Fraction(3, 10)


def test_zero_points_is_no_vote():
    election = Election(budget=10, costs={"a": 1}, ballots=[{"a": 0}])
    assert tally("greedy", election).winners == []


def test_bad_input_is_refused():
    with pytest.raises(UnknownRule):
        tally("plurality", Election(budget=1, costs={}, ballots=[]))
    assert issubclass(UnknownRule, ValueError)
    with pytest.raises(TypeError):
        Election(budget=1.5, costs={}, ballots=[])
    with pytest.raises(ValueError, match="unknown project"):
        Election(budget=1, costs={"a": 1}, ballots=[{"b": 1}])
    with pytest.raises(ValueError, match="negative"):
        Election(budget=1, costs={"a": -1}, ballots=[])


def test_empty_election():
    for rule in RULES:
        outcome = tally(rule, Election(budget=0, costs={}, ballots=[]))
        assert outcome.winners == [] and outcome.spent == 0 and outcome.projects == []


def test_progress_ends_at_one():
    seen = []
    tally("greedy", Election(budget=1, costs={"a": 1}, ballots=approval("a")), seen.append)
    assert seen[-1] == 1.0
