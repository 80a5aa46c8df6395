"""Phone numbers: the one stored form of a Kazakh mobile number, and the refusal of every other spelling
(see tests/mutation_survivors.md)."""

from __future__ import annotations

import pytest

from core.phones import check_phone
from infra.errors import FieldError, RuleBroken

REFUSAL = "Use a Kazakh mobile number in international form: +77 and 9 digits, e.g. +77011234567."


@pytest.mark.parametrize(("typed", "stored"), [
    ("+77011234567", "+77011234567"),
    ("+7 701 123 45 67", "+77011234567"),
    ("+7-701-123-45-67", "+77011234567"),
    (" +7 701-123-4567 ", "+77011234567"),
])
def test_spaces_and_dashes_are_dropped(typed, stored):
    assert check_phone(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "+7701123456", "+770112345678", "87011234567", "77011234567", "+76011234567", "+7701123456a",
    "+7\t701 123 45 67", "+7 (701) 123-45-67", "+7.701.123.45.67", "+7701١٢٣٤٥٦٧", "+77011234567\n",
])
def test_anything_else_is_refused_on_the_phone_field(typed):
    with pytest.raises(RuleBroken) as refused:
        check_phone(typed)
    assert refused.value.detail == REFUSAL
    assert refused.value.errors == [FieldError("phone", "must be +77 followed by 9 digits")]
