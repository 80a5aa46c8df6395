from datetime import date

import pytest

from core.iin import InvalidIIN, age_on, check_digit, parse_iin


def test_the_published_example_is_valid():
    iin = parse_iin("061211600012")
    assert iin.birth_date == date(2006, 12, 11) and not iin.male


def test_birth_date_century_and_sex_come_from_the_number():
    iin = parse_iin("900101300106")
    assert iin.birth_date == date(1990, 1, 1) and iin.male


@pytest.mark.parametrize(
    "text, reason",
    [
        ("06121160001", "12 digits"),
        ("0612116000123", "12 digits"),
        ("06121160001a", "12 digits"),
        ("０６１２１１６０００１２", "12 digits"),  # full-width digits are not ASCII
        ("061211700012", "7th digit"),
        ("061311600012", "birth date"),
        ("061211600013", "check digit"),
    ],
)
def test_invalid_numbers_are_refused_with_the_reason(text, reason):
    with pytest.raises(InvalidIIN, match=reason):
        parse_iin(text)


def test_second_weights_are_used_when_the_first_give_ten():
    # Search a stem whose first check is 10, then confirm the number with the second check validates.
    for serial in range(10000):
        stem = f"9001013{serial:04d}"
        digits = [int(d) for d in stem]
        if sum(d * w for d, w in zip(digits, range(1, 12))) % 11 == 10:
            check = check_digit(stem)
            if check is not None:
                assert parse_iin(stem + str(check)).birth_date == date(1990, 1, 1)
                return
    pytest.fail("no stem needing the second weights found")


def test_a_stem_with_ten_under_both_weights_is_never_issued():
    for serial in range(10000):
        stem = f"8507254{serial:04d}"
        if check_digit(stem) is None:
            for last in range(10):
                with pytest.raises(InvalidIIN):
                    parse_iin(stem + str(last))
            return
    pytest.fail("no unissuable stem found")


@pytest.mark.parametrize(
    "born, day, age",
    [
        (date(2008, 5, 1), date(2026, 5, 1), 18),
        (date(2008, 5, 2), date(2026, 5, 1), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_counts_full_years(born, day, age):
    assert age_on(born, day) == age
