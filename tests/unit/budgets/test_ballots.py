import pytest

from budgets.ballots import BallotRejected, Choice, InvalidVoteRules, VoteRules, check_ballot, check_vote_rules

COSTS = {1: 10, 2: 20, 3: 30, 4: 40}


def fields(exc: BallotRejected) -> list[str]:
    return [e.field for e in exc.errors]


def test_approval_counts_each_choice_as_one_point():
    rules = VoteRules("approval", 1, 3)
    assert check_ballot(rules, 100, [Choice(1), Choice(3)], COSTS) == [(1, 1), (3, 1)]


@pytest.mark.parametrize(
    "choices, field",
    [
        ([], "choices"),
        ([Choice(1), Choice(2), Choice(3), Choice(4)], "choices"),
        ([Choice(9)], "choices[0].project_id"),
        ([Choice(1), Choice(1)], "choices[1].project_id"),
        ([Choice(1, points=2)], "choices[0].points"),
    ],
)
def test_approval_refusals_name_the_field(choices, field):
    with pytest.raises(BallotRejected) as refused:
        check_ballot(VoteRules("approval", 1, 3), 100, choices, COSTS)
    assert field in fields(refused.value)


def test_knapsack_limits_the_total_cost_to_the_budget_by_default():
    rules = VoteRules("knapsack")
    assert check_ballot(rules, 60, [Choice(1), Choice(2), Choice(3)], COSTS) == [(1, 1), (2, 1), (3, 1)]
    with pytest.raises(BallotRejected, match="over the limit of 60"):
        check_ballot(rules, 60, [Choice(3), Choice(4)], COSTS)
    with pytest.raises(BallotRejected, match="limit of 35"):
        check_ballot(VoteRules("knapsack", max_cost=35), 60, [Choice(1), Choice(3)], COSTS)


def test_points_must_add_up_exactly():
    rules = VoteRules("points", 1, 3, points_total=5)
    assert check_ballot(rules, 100, [Choice(1, 3), Choice(2, 2)], COSTS) == [(1, 3), (2, 2)]
    with pytest.raises(BallotRejected, match="exactly 5 points"):
        check_ballot(rules, 100, [Choice(1, 3)], COSTS)
    with pytest.raises(BallotRejected) as refused:
        check_ballot(rules, 100, [Choice(1), Choice(2, 0)], COSTS)
    assert fields(refused.value) == ["choices[0].points", "choices[1].points"]


@pytest.mark.parametrize(
    "rules, field",
    [
        (VoteRules("ranked"), "vote.method"),
        (VoteRules("approval", 3, 2), "vote.min_choices"),
        (VoteRules("approval", 0, 2), "vote.min_choices"),
        (VoteRules("points", 1, 3), "vote.points_total"),
        (VoteRules("approval", 1, 3, points_total=5), "vote.points_total"),
        (VoteRules("approval", 1, 3, max_cost=5), "vote.max_cost"),
        (VoteRules("points", 4, 5, points_total=3), "vote.points_total"),
    ],
)
def test_contradictory_vote_rules_are_refused(rules, field):
    with pytest.raises(InvalidVoteRules) as refused:
        check_vote_rules(rules, 100)
    assert field in [e.field for e in refused.value.errors]


def test_approval_defaults_to_at_least_one_choice():
    assert check_vote_rules(VoteRules("approval"), 100).min_choices == 1
