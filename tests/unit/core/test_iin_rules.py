"""The IIN's rules, written to fail on each broken rule: numbers checked by hand against the published
algorithm (PRODUCT.md), with every digit of the stem non-zero so that any weight changed by one changes
the check digit."""

from datetime import date

import pytest

from core.iin import InvalidIIN, check_digit, parse_iin, synthetic_iin

# Σ d·(1..11) mod 11 = 2 for 89112931111: the first weights decide.
FIRST_WEIGHTS_IIN = "891129311112"
# Σ d·(1..11) mod 11 = 10 for 89112931141, so the second weights (3..11, 1, 2) decide: 2.
SECOND_WEIGHTS_IIN = "891129311412"


@pytest.mark.parametrize("iin", [FIRST_WEIGHTS_IIN, SECOND_WEIGHTS_IIN])
def test_only_the_computed_check_digit_is_valid(iin):
    assert check_digit(iin[:11]) == int(iin[11])
    assert parse_iin(iin).birth_date == date(1989, 11, 29)
    for last in set("0123456789") - {iin[11]}:
        with pytest.raises(InvalidIIN, match="check digit"):
            parse_iin(iin[:11] + last)


@pytest.mark.parametrize(
    "iin, born, male",
    [
        ("850725110002", date(1885, 7, 25), True),
        ("850725210009", date(1885, 7, 25), False),
        ("850725310005", date(1985, 7, 25), True),
        ("850725410001", date(1985, 7, 25), False),
        ("050725510000", date(2005, 7, 25), True),
        ("050725610007", date(2005, 7, 25), False),
    ],
)
def test_the_seventh_digit_gives_century_and_sex(iin, born, male):
    parsed = parse_iin(iin)
    assert (parsed.value, parsed.birth_date, parsed.male) == (iin, born, male)


@pytest.mark.parametrize("century_digit", ["0", "7", "8", "9"])
def test_a_seventh_digit_outside_one_to_six_is_refused(century_digit):
    with pytest.raises(InvalidIIN, match="7th digit"):
        parse_iin(f"850725{century_digit}10002")


@pytest.mark.parametrize("stem", ["85073231000", "85000031000", "85022931000"])  # 32 July, day 0, 29 Feb 1985
def test_a_date_that_never_was_is_refused(stem):
    with pytest.raises(InvalidIIN, match="real birth date"):
        parse_iin(stem + str(check_digit(stem) or 0))


@pytest.mark.parametrize(
    "born, day, age",
    [
        (date(1990, 5, 17), date(2026, 5, 16), 35),
        (date(1990, 5, 17), date(2026, 5, 17), 36),
        (date(1990, 5, 17), date(2026, 4, 30), 35),  # an earlier month with a later day
        (date(1990, 5, 17), date(2026, 6, 1), 36),  # a later month with an earlier day
    ],
)
def test_an_iin_holders_age_is_full_years(born, day, age):
    assert parse_iin(synthetic_iin(born, True, 1234)).age_on(day) == age


@pytest.mark.parametrize("born", [date(1885, 7, 25), date(1985, 7, 25), date(2005, 7, 25)])
@pytest.mark.parametrize("male", [True, False])
def test_a_synthetic_iin_is_a_valid_number_of_that_person(born, male):
    iin = parse_iin(synthetic_iin(born, male, 1234))
    assert (iin.birth_date, iin.male, iin.value[7:11]) == (born, male, "1234")


def test_a_synthetic_serial_keeps_its_last_four_digits():
    assert synthetic_iin(date(1990, 5, 17), True, 12345)[:11] == "90051732345"
    assert synthetic_iin(date(1990, 5, 17), True, 7)[:11] == "90051730007"


def test_no_synthetic_iin_comes_from_a_stem_never_issued():
    # 85072540058: ten under both weight sequences.
    assert check_digit("85072540058") is None
    assert synthetic_iin(date(1985, 7, 25), False, 58) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("06121160001", "an IIN is exactly 12 digits"),
        ("061211700012", "the 7th digit of an IIN (century and sex) must be 1 to 6"),
        ("061311600012", "the first 6 digits of an IIN must be a real birth date YYMMDD"),
        ("061211600013", "the IIN's check digit does not match: check for a typing mistake"),
    ],
)
def test_each_refusal_tells_the_resident_exactly_why(text, message):
    # The text reaches the resident (core.residency puts it in the answer's field error).
    with pytest.raises(InvalidIIN) as refused:
        parse_iin(text)
    assert str(refused.value) == message
