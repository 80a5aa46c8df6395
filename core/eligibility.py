"""Who may vote in a round: old enough on the day its voting opens, registered inside its region then.

One place for the rule, used by the ballot path (budgets.casting) and by turnout's "eligible residents"
(admin.turnout), so that the share of eligible residents who voted counts the same people who may vote.
"""

from __future__ import annotations

from datetime import date, datetime

from core.clock import KAZAKHSTAN, as_utc
from core.iin import age_on
from core.regions import contains


def age_when_voting_opens(birth_date: date, voting_opens_at: datetime) -> int:
    """Age on the day voting opens, a day in Kazakhstan's time zone (a birthday that day counts)."""
    return age_on(birth_date, as_utc(voting_opens_at).astimezone(KAZAKHSTAN).date())


def old_enough(birth_date: date, voting_opens_at: datetime, min_age: int) -> bool:
    return age_when_voting_opens(birth_date, voting_opens_at) >= min_age


def lives_in(round_region_path: str, resident_region_path: str) -> bool:
    """A round of a region is for the residents of that region and of every region inside it."""
    return contains(round_region_path, resident_region_path)
