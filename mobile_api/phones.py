"""Kazakh mobile numbers: +77 followed by 9 digits (E.164)."""

import re

from budgets.errors import FieldError, RuleBroken

KAZAKH_MOBILE = re.compile(r"\+77\d{9}")


def check_phone(phone: str) -> str:
    if not KAZAKH_MOBILE.fullmatch(phone):
        raise RuleBroken(
            "Use a Kazakh mobile number in international form: +77 and 9 digits, e.g. +77011234567.",
            [FieldError("phone", "must be +77 followed by 9 digits")],
        )
    return phone
