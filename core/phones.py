"""Kazakh mobile numbers: +77 followed by 9 digits (E.164), in ASCII.

Only ASCII digits count: Python's `\\d` also matches Arabic-Indic or Devanagari digits, and each such
spelling of one number would be another account with limits of its own, and an odd string for the SMS
gateway.
"""

import re

from infra.errors import FieldError, RuleBroken

KAZAKH_MOBILE = re.compile(r"\+77[0-9]{9}", re.ASCII)
# What people type between the digits; nothing else is ignored.
SEPARATORS = str.maketrans("", "", " -")


def check_phone(phone: str) -> str:
    """The number in its one stored form (spaces and dashes dropped); RuleBroken for anything else."""
    normalised = phone.translate(SEPARATORS)
    if not KAZAKH_MOBILE.fullmatch(normalised):
        raise RuleBroken(
            "Use a Kazakh mobile number in international form: +77 and 9 digits, e.g. +77011234567.",
            [FieldError("phone", "must be +77 followed by 9 digits")],
        )
    return normalised
