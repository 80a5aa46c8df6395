"""Rows become records in one place: every time aware UTC (SQLite hands back naive ones), the vote rules as
one value, an empty description as {}."""

from datetime import UTC, datetime, timedelta

from budgets.ballots import VoteRules
from budgets.records import ProjectRecord, RoundRecord

OPENS = datetime(2027, 3, 1, 4, 0)
ROW = {"id": 3, "region": "751110000", "title": {"kk": "Бюджет"}, "description": None, "budget": 500, "rule": "mes",
       "min_age": 16, "vote_method": "knapsack", "min_choices": None, "max_choices": None, "max_cost": 400,
       "points_total": None, "min_project_score": 2, "voting_opens_at": OPENS,
       "voting_closes_at": (OPENS + timedelta(days=7)).replace(tzinfo=UTC), "auto_publish": False,
       "ideas_opens_at": OPENS - timedelta(days=20), "ideas_closes_at": None, "status": "review",
       "closed_at": None, "tallied_at": None, "published_at": OPENS + timedelta(days=8),
       "created_at": OPENS - timedelta(days=30), "tally_claimed_until": None}


def test_a_round_row_reads_as_a_record_in_utc():
    record = RoundRecord.from_row(ROW)
    assert record.voting_opens_at == OPENS.replace(tzinfo=UTC)
    assert record.voting_closes_at == (OPENS + timedelta(days=7)).replace(tzinfo=UTC)
    assert record.ideas_opens_at == (OPENS - timedelta(days=20)).replace(tzinfo=UTC)
    assert record.published_at == (OPENS + timedelta(days=8)).replace(tzinfo=UTC)
    assert record.created_at.tzinfo is UTC
    assert record.ideas_closes_at is None and record.closed_at is None and record.tallied_at is None
    assert record.vote == VoteRules("knapsack", None, None, 400, None)
    assert record.description == {}
    assert (record.id, record.region, record.budget, record.rule, record.min_age, record.min_project_score,
            record.auto_publish, record.status) == (3, "751110000", 500, "mes", 16, 2, False, "review")


def test_an_aware_time_in_another_zone_is_moved_to_utc():
    record = RoundRecord.from_row({**ROW, "voting_opens_at": datetime.fromisoformat("2027-03-01T09:00:00+05:00")})
    assert record.voting_opens_at == OPENS.replace(tzinfo=UTC)
    assert record.voting_opens_at.utcoffset() == timedelta(0)


def test_a_project_row_reads_as_a_record():
    record = ProjectRecord.from_row({"id": 7, "round": 3, "region": "751110000", "title": {"ru": "Сквер"},
                                     "description": None, "cost": 120, "external_id": "p-7", "idea_id": 4,
                                     "initiative_id": None, "created_at": OPENS})
    assert (record.id, record.round_id, record.cost, record.external_id, record.idea_id, record.initiative_id) == (
        7, 3, 120, "p-7", 4, None)
    assert record.description == {} and record.title == {"ru": "Сквер"}
    assert record.created_at == OPENS.replace(tzinfo=UTC)
