"""A round's status by the clock: draft, the ideas phase and its review, voting, closed; never set back."""

from datetime import UTC, datetime, timedelta

import pytest

from budgets.rounds import effective_status
from tests.helpers import round_record

T0 = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)
PHASES = {"ideas_opens_at": T0, "ideas_closes_at": T0 + timedelta(days=14),
          "voting_opens_at": T0 + timedelta(days=21), "voting_closes_at": T0 + timedelta(days=42)}


def round_in(status: str, **overrides):
    return round_record(**{**PHASES, "status": status, **overrides})


@pytest.mark.parametrize("offset,status", [
    (timedelta(seconds=-1), "draft"), (timedelta(0), "ideas"), (timedelta(days=14) - timedelta(seconds=1), "ideas"),
    (timedelta(days=14), "review"), (timedelta(days=21), "voting"), (timedelta(days=42), "closed"),
])
def test_each_phase_begins_at_its_moment(offset, status):
    assert effective_status(round_in("draft"), T0 + offset) == status


def test_a_round_without_an_ideas_phase_goes_from_draft_to_voting():
    plain = round_in("draft", ideas_opens_at=None, ideas_closes_at=None)
    assert effective_status(plain, T0 + timedelta(days=14)) == "draft"
    assert effective_status(plain, T0 + timedelta(days=21)) == "voting"


def test_the_stored_status_is_never_set_back_and_closed_ones_stay():
    assert effective_status(round_in("review"), T0) == "review"
    assert effective_status(round_in("published"), T0) == "published"
    assert effective_status(round_in("closed"), T0 + timedelta(days=50)) == "closed"
