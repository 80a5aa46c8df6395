"""What a rule accepts as an election, and what each refusal says (see tests/mutation_survivors.md)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from budgets.rules.model import Election, exact


def test_exact_money_is_an_int_when_integral_and_a_fraction_otherwise():
    assert exact(Fraction(6, 3), "x") == 2 and type(exact(Fraction(6, 3), "x")) is int
    assert type(exact(Decimal("4"), "x")) is int
    assert exact(Fraction(1, 3), "x") == Fraction(1, 3)
    assert Election(budget=Fraction(10, 2), costs={"a": Fraction(4, 2)}, ballots=[]).budget.__class__ is int


@pytest.mark.parametrize(("value", "message"), [
    (1.5, "budget must be an int or a Fraction, not float"),
    (True, "budget must be an int or a Fraction, not bool"),
    ("10", "budget must be an int or a Fraction, not str"),
])
def test_inexact_money_is_refused_by_name(value, message):
    with pytest.raises(TypeError) as refused:
        Election(budget=value, costs={}, ballots=[])
    assert str(refused.value) == message


def test_each_refusal_names_what_is_wrong():
    with pytest.raises(ValueError) as refused:
        Election(budget=-1, costs={}, ballots=[])
    assert str(refused.value) == "budget must not be negative"
    with pytest.raises(TypeError) as refused:
        Election(budget=1, costs={"a": 0.5}, ballots=[])
    assert str(refused.value) == "cost of project 'a' must be an int or a Fraction, not float"
    with pytest.raises(TypeError) as refused:
        Election(budget=1, costs={}, ballots=[], min_project_score=0.5)
    assert str(refused.value) == "min_project_score must be an int or a Fraction, not float"


@pytest.mark.parametrize("points", [True, 1.0, Fraction(1), "1", -1])
def test_points_must_be_a_whole_number_not_below_zero(points):
    with pytest.raises(ValueError) as refused:
        Election(budget=10, costs={"a": 5}, ballots=[{"a": 1}, {"a": points}])
    assert str(refused.value) == f"ballot 1 gives project 'a' invalid points {points!r}"


def test_an_election_keeps_its_input_normalised():
    """Project ids become strings and money exact ints, so that ballots naming a project find its cost."""
    election = Election(budget=Fraction(20, 2), costs={7: Fraction(10, 2), "b": Decimal("2.5")},
                        ballots=[{"7": 1, "b": 0}], min_project_score=Decimal("3"))
    assert election.costs == {"7": 5, "b": Fraction(5, 2)} and type(election.costs["7"]) is int
    assert election.ballots == ({"7": 1},)
    assert election.min_project_score == 3 and type(election.min_project_score) is int
    assert Election(budget=1, costs={}, ballots=[]).min_project_score is None
