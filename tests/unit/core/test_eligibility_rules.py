"""The eligibility rule, written to fail when a mutant breaks it: the day voting opens is a day in
Kazakhstan (UTC+5), a birthday that day counts, the minimum age is inclusive, and a round's region holds the
residents of every region inside it and of no sibling."""

from datetime import UTC, date, datetime

import pytest

from core.eligibility import age_when_voting_opens, lives_in, old_enough

BORN = date(2008, 5, 1)


@pytest.mark.parametrize(
    "opens, age",
    [
        # 30 April 19:00 UTC is already 1 May, 00:00, in Kazakhstan: the 18th birthday has come.
        (datetime(2026, 4, 30, 19, 0, tzinfo=UTC), 18),
        # One minute earlier it is still 30 April there.
        (datetime(2026, 4, 30, 18, 59, tzinfo=UTC), 17),
        # A time with no zone is UTC, as the database stores it.
        (datetime(2026, 4, 30, 19, 0), 18),
        (datetime(2026, 4, 30, 18, 59), 17),
    ],
)
def test_the_day_voting_opens_is_a_day_in_kazakhstan(opens, age):
    assert age_when_voting_opens(BORN, opens) == age


@pytest.mark.parametrize("min_age, allowed", [(17, True), (18, True), (19, False)])
def test_the_minimum_age_is_reached_on_the_birthday(min_age, allowed):
    assert old_enough(BORN, datetime(2026, 4, 30, 19, 0, tzinfo=UTC), min_age) is allowed


def test_the_day_before_the_birthday_is_too_young():
    assert old_enough(BORN, datetime(2026, 4, 30, 18, 59, tzinfo=UTC), 18) is False


ALMATY = "750000000/"
DISTRICT = ALMATY + "751110000/"
SIBLING = ALMATY + "751210000/"


@pytest.mark.parametrize(
    "round_path, resident_path, allowed",
    [
        (ALMATY, DISTRICT, True),  # a city's round is for every district of the city
        (DISTRICT, DISTRICT, True),
        (DISTRICT, SIBLING, False),  # a sibling district of the same city is not inside
        (DISTRICT, ALMATY, False),  # the city is not inside its district
        ("710000000/", DISTRICT, False),
    ],
)
def test_a_round_is_for_the_residents_inside_its_region(round_path, resident_path, allowed):
    assert lives_in(round_path, resident_path) is allowed
