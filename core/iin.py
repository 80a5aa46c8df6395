"""Kazakhstan's individual identification number (IIN): checksum, birth date and sex.

Digits 1–6 are the birth date YYMMDD, digit 7 the century and sex (1/2 = 1800s, 3/4 = 1900s,
5/6 = 2000s; odd = male), 8–11 a serial number and 12 a check digit computed modulo 11 with two
weight sequences; a number whose check is 10 under both is never issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURIES = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIIN(ValueError):
    """The text is not an IIN that could have been issued; the message says why."""


@dataclass(frozen=True)
class IIN:
    value: str
    birth_date: date
    male: bool

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def check_digit(digits: str) -> int | None:
    """The check digit for the first 11 digits, or None when no valid number has them."""
    numbers = [int(d) for d in digits[:11]]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        check = sum(n * w for n, w in zip(numbers, weights)) % 11
        if check != 10:
            return check
    return None


def parse_iin(text: str) -> IIN:
    if len(text) != 12 or not text.isascii() or not text.isdigit():
        raise InvalidIIN("an IIN is exactly 12 digits")
    century_digit = int(text[6])
    if century_digit not in CENTURIES:
        raise InvalidIIN("the 7th digit of an IIN (century and sex) must be 1 to 6")
    try:
        born = date(CENTURIES[century_digit] + int(text[0:2]), int(text[2:4]), int(text[4:6]))
    except ValueError as exc:
        raise InvalidIIN("the first 6 digits of an IIN must be a real birth date YYMMDD") from exc
    expected = check_digit(text)
    if expected is None or expected != int(text[11]):
        raise InvalidIIN("the IIN's check digit does not match: check for a typing mistake")
    return IIN(value=text, birth_date=born, male=century_digit % 2 == 1)


def age_on(born: date, day: date) -> int:
    """Full years of a person born on `born` on `day` (a 29 February birthday counts from 1 March)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def synthetic_iin(born: date, male: bool, serial: int) -> str | None:
    """A well-formed IIN for test and demo residents, or None when this serial gives no valid number."""
    century = (born.year // 100 - 18) * 2 + (1 if male else 2)
    stem = f"{born:%y%m%d}{century}{serial % 10000:04d}"
    check = check_digit(stem)
    return None if check is None else stem + str(check)
