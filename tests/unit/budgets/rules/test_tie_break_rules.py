"""The contract's tie-break (more score, then more votes, then lower cost, then the id as text) and the
greedy pass's reasons, called directly (see tests/mutation_survivors.md)."""

from __future__ import annotations

from fractions import Fraction

from budgets.rules.greedy import greedy, greedy_pass
from budgets.rules.model import Election, ProjectOutcome, Support


def test_support_counts_ballots_naming_a_project_and_adds_their_points():
    election = Election(budget=10, costs={"a": 1, "b": 2, "c": 3}, ballots=[{"a": 3, "b": 1}, {"a": 2}, {"b": 1}])
    support = Support.of(election)
    assert support.votes == {"a": 2, "b": 2, "c": 0}
    assert support.score == {"a": 5, "b": 2, "c": 0}


def test_score_comes_before_votes_then_lower_cost_then_the_id_as_text():
    election = Election(budget=10, costs={"p": 5, "q": 5, "r": 4, "s": 4, "10": 4, "9": 4},
                        ballots=[{"p": 5}, {"q": 2}, {"q": 2}, {"r": 1, "s": 1, "10": 1, "9": 1},
                                 {"r": 1, "s": 1, "10": 1, "9": 1}, {"r": 1, "s": 1, "10": 1, "9": 1},
                                 {"r": 1}])
    support = Support.of(election)
    key = support.rank_key(election)
    # p: score 5 in 1 vote; q: score 4 in 2; r: score 4 in 4 votes; s, 10, 9: score 3 in 3 votes, cost 4.
    assert sorted(election.costs, key=key) == ["p", "r", "q", "10", "9", "s"]
    assert key("q") == (-4, -2, 5, "q")


def test_cost_breaks_a_tie_of_score_and_votes():
    election = Election(budget=10, costs={"a": 5, "b": 3}, ballots=[{"a": 1, "b": 1}])
    assert sorted(election.costs, key=Support.of(election).rank_key(election)) == ["b", "a"]


def test_an_outcome_carries_the_counts_and_a_reason_only_when_not_selected():
    election = Election(budget=10, costs={"a": Fraction(7, 2)}, ballots=[{"a": 2}])
    support = Support.of(election)
    assert support.outcome(election, "a", True, "over_budget") == ProjectOutcome(
        project_id="a", votes=1, score=2, selected=True, cost=Fraction(7, 2), reason=None)
    assert support.outcome(election, "a", False, "over_budget") == ProjectOutcome(
        project_id="a", votes=1, score=2, selected=False, cost=Fraction(7, 2), reason="over_budget")


def test_the_greedy_pass_names_each_reason_and_returns_what_is_left():
    election = Election(budget=20, costs={"a": 8, "b": 9, "c": 2, "d": 1, "e": 5},
                        ballots=[{"a": 1, "b": 1, "c": 1, "e": 1}, {"a": 1, "b": 1, "e": 1}, {"a": 1, "e": 1},
                                 {"e": 1}])
    support = Support.of(election)
    outcomes, left = greedy_pass(election, support, election.costs, 20)
    assert [(o.project_id, o.reason) for o in outcomes] == [
        ("e", None), ("a", None), ("b", "over_budget"), ("c", None), ("d", "no_votes")]
    assert left == 20 - 5 - 8 - 2
    # Exactly the money left fits.
    outcomes, left = greedy_pass(election, support, ["e", "a"], 13)
    assert [o.selected for o in outcomes] == [True, True] and left == 0
    stopped, left = greedy_pass(election, support, election.costs, 20, stop_at_first_misfit=True)
    assert [(o.project_id, o.reason) for o in stopped] == [
        ("e", None), ("a", None), ("b", "over_budget"), ("c", "after_stop"), ("d", "no_votes")]
    assert left == 7
    filtered, left = greedy_pass(election, support, election.costs, 20, threshold=2)
    assert [(o.project_id, o.reason) for o in filtered] == [
        ("e", None), ("a", None), ("b", "over_budget"), ("c", "below_threshold"), ("d", "no_votes")]
    assert left == 7
    # A score equal to the threshold passes it.
    at_threshold, _ = greedy_pass(election, support, ["b"], 20, threshold=2)
    assert at_threshold[0].selected


def test_greedy_is_the_default_rule_and_names_itself():
    election = Election(budget=3, costs={"a": 2, "b": 2}, ballots=[{"a": 1}, {"a": 1, "b": 1}])
    outcome = greedy(election)
    assert outcome.rule == "greedy" and outcome.winners == ["a"] and outcome.spent == 2
    assert greedy(election, "greedy-no-skip").rule == "greedy-no-skip"


def test_only_the_threshold_rule_reads_the_minimum_score():
    election = Election(budget=10, costs={"a": 2, "b": 2}, ballots=[{"a": 1, "b": 1}, {"a": 1}],
                        min_project_score=2)
    assert greedy(election).winners == ["a", "b"]
    assert greedy(election, "greedy-no-skip").winners == ["a", "b"]
    assert greedy(election, "greedy-threshold").winners == ["a"]
