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
