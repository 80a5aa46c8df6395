"""The public verifier's checks on documents built here, without a server: an honest round passes, and each
kind of forgery or malformed input is a failed check with a reason, never an exception."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from budgets.ballots import VoteRules
from budgets.ledger import GENESIS, link, receipt_hash
from budgets.records import ProjectRecord
from budgets.results import count_round
from budgets.verification import PublicDocuments, render, verify, verify_ledger
from tests.helpers import round_record

OPENS = datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
CLOSES = datetime(2026, 5, 20, 13, 0, tzinfo=UTC)
COSTS = {11: 40, 12: 30, 13: 20, 14: 50}


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def published(method: str = "approval", rule: str = "greedy", ballots=None, statuses=None) -> dict:
    """A round's public documents, consistent with one another, as the server would publish them."""
    ballots = ballots or [[[11, 1], [13, 1]], [[12, 1]], [[11, 1]], [[14, 1], [13, 1]], [[11, 1], [12, 1]]]
    round_ = round_record(id=5, rule=rule, voting_opens_at=OPENS, voting_closes_at=CLOSES,
                          vote=VoteRules(method, 1, 3, None, 5 if method == "points" else None))
    projects = [ProjectRecord(pid, 5, "751110000", {"ru": f"Проект {pid}"}, {}, cost, None, None, None, OPENS)
                for pid, cost in COSTS.items()]
    count = count_round(round_, projects, ballots)
    statuses = statuses or ["counted"] * len(ballots)
    entries, chain = [], GENESIS
    for seq, status in enumerate(statuses, start=1):
        entry = {"seq": seq, "receipt_hash": receipt_hash(f"receipt-{seq}"),
                 "cast_at": stamp(OPENS + timedelta(hours=seq, microseconds=seq)), "revision": 1, "status": status}
        chain = entry["chain"] = link(chain, entry)
        entries.append(entry)
    middle = OPENS + timedelta(hours=2, minutes=30)
    checkpoints = [{"upto": stamp(middle), "entries": 2, "hash": entries[1]["chain"], "created_at": stamp(middle)},
                   {"upto": stamp(CLOSES), "entries": len(entries), "hash": chain, "created_at": stamp(CLOSES)}]
    return {
        "round": {"id": 5, "status": "published", "rule": rule, "budget": 100, "voting_opens_at": stamp(OPENS),
                  "voting_closes_at": stamp(CLOSES), "vote": {"method": method}, "title": "Бюджет"},
        "results": {"round_id": 5, "rule": rule, "budget": 100, "spent": count.spent, "voters": count.voters,
                    "published_at": stamp(CLOSES), "projects": count.projects},
        "pabulib": count.pabulib,
        "ledger": {"round_id": 5, "entries": entries, "checkpoints": checkpoints},
        "invalidations": [{"receipt_hash": e["receipt_hash"], "status": e["status"], "reason": "Confirmed fraud",
                           "at": stamp(CLOSES)} for e in entries if e["status"] in ("invalidated", "quarantined")],
    }


def documents(docs: dict, receipt: str | None = None) -> PublicDocuments:
    def body(value):
        return value if isinstance(value, bytes) else json.dumps(value).encode()

    status = None
    if receipt is not None:
        found = [e for e in docs["ledger"]["entries"] if e["receipt_hash"] == receipt_hash(receipt)]
        status = body({"round_id": 5, "status": found[0]["status"], "cast_at": found[0]["cast_at"],
                       "receipt_hash": receipt_hash(receipt)}) if found else None
    return PublicDocuments(round=body(docs["round"]), results=body(docs["results"]), pabulib=docs["pabulib"],
                           ledger=body(docs["ledger"]), invalidations=body(docs["invalidations"]),
                           receipt=receipt, receipt_status=status)


def verdicts(docs: dict, **options) -> dict[str, bool | None]:
    return {check.name: check.ok for check in verify(5, documents(docs, **options)).checks}


def failed(docs: dict, **options) -> set[str]:
    return {name for name, ok in verdicts(docs, **options).items() if ok is False}


@pytest.mark.parametrize("method,rule", [("approval", "greedy"), ("approval", "mes-add1"), ("points", "mes"),
                                         ("approval", "greedy-no-skip"), ("approval", "mes-add1-greedy")])
def test_an_honest_round_passes_every_check(method, rule):
    ballots = [[[11, 3], [13, 2]], [[12, 5]], [[11, 5]], [[14, 1], [13, 4]]] if method == "points" else None
    docs = published(method, rule, ballots)
    report = verify(5, documents(docs, receipt="receipt-2"))
    assert report.ok, render(report)
    assert [c.name for c in report.checks][-1] == "receipt"
    assert render(report).endswith("round 5: all 9 checks passed")


def test_set_aside_and_superseded_ballots_are_not_counted_but_are_published():
    ballots = [[[11, 1]], [[12, 1]], [[13, 1]]]
    docs = published(ballots=ballots, statuses=["superseded", "counted", "invalidated", "counted", "counted"])
    assert verify(5, documents(docs)).ok
    docs["invalidations"] = []
    assert failed(docs) == {"invalidations"}


def test_a_ballot_after_the_close_or_a_missing_close_checkpoint_fails_the_voting_window():
    docs = published()
    docs["ledger"]["checkpoints"][-1]["entries"] -= 1
    docs["ledger"]["checkpoints"][-1]["hash"] = docs["ledger"]["entries"][-2]["chain"]
    docs["ledger"]["checkpoints"][-1]["upto"] = docs["ledger"]["entries"][-1]["cast_at"]
    assert "voting window" in failed(docs)
    docs = published()
    docs["ledger"]["checkpoints"].pop()
    assert failed(docs) == {"voting window"}


@pytest.mark.parametrize("field,value,reason", [
    ("receipt_hash", 'abc","seq":1,"x":"', "64 lower-case hex"),
    ("seq", 7, "seq 7"),
    ("cast_at", "2026-05-01T09:00:00+05:00", "not a UTC timestamp"),
    ("revision", 0, "revisions count from 1"),
    ("status", "deleted", "unknown status"),
])
def test_a_malformed_entry_is_named(field, value, reason):
    docs = published()
    docs["ledger"]["entries"][2][field] = value
    report = verify(5, documents(docs))
    chain = report.checks[1]
    assert chain.name == "ledger chain" and chain.ok is False and "entry 3" in chain.detail and reason in chain.detail
    # What builds on the chain is reported as not checked, and the report fails.
    assert report.checks[2].ok is None and not report.ok and "could not be checked because of them" in render(report)


def test_entries_out_of_order_fail_even_with_a_recomputed_chain():
    docs = published()
    entries = docs["ledger"]["entries"]
    entries[1]["cast_at"], entries[2]["cast_at"] = entries[2]["cast_at"], entries[1]["cast_at"]
    chain = GENESIS
    for entry in entries:
        chain = entry["chain"] = link(chain, entry)
    assert "ledger chain" in failed(docs)


def test_results_of_another_round_or_rule_fail():
    docs = published()
    docs["results"]["rule"] = "mes"
    assert "results.pb is this round's" in failed(docs)
    docs = published()
    docs["round"]["rule"] = "greedy-no-skip"
    assert failed(docs) == {"results.pb is this round's"}  # same winners here, but not the published rule
    docs = published()
    winner = next(p for p in docs["results"]["projects"] if p["selected"])
    winner["votes"] += 1
    assert failed(docs) == {"recount"}


def test_a_receipt_not_in_the_ledger_fails():
    assert failed(published(), receipt="receipt-99") == {"receipt"}


def test_checkpoints_saved_earlier_catch_a_rewritten_past():
    docs = published()
    saved = json.dumps(docs["ledger"]["checkpoints"]).encode()
    assert verify_ledger(5, json.dumps(docs["ledger"]).encode(), saved).ok
    # The second entry removed, the chain and the published checkpoints rewritten to match.
    entries = [e for e in docs["ledger"]["entries"] if e["seq"] != 2]
    chain = GENESIS
    for seq, entry in enumerate(entries, start=1):
        entry["seq"] = seq
        chain = entry["chain"] = link(chain, entry)
    docs["ledger"]["entries"] = entries
    docs["ledger"]["checkpoints"] = [{"upto": stamp(CLOSES), "entries": len(entries), "hash": chain,
                                      "created_at": stamp(CLOSES)}]
    forged = json.dumps(docs["ledger"]).encode()
    assert verify_ledger(5, forged).ok
    report = verify_ledger(5, forged, saved)
    assert [c.ok for c in report.checks] == [True, True, False]
    assert "saved checkpoint 1" in report.checks[-1].detail


@pytest.mark.parametrize("garbage", [b"", b"null", b"[]", b"{}", b'{"id": "5"}', b"\xff\xfe", b"1e999999",
                                     b'{"round_id": 5, "entries": [' + b"[]," * 1000 + b"[]]}"])
def test_garbage_in_every_document_is_a_verdict_not_an_exception(garbage):
    report = verify(5, PublicDocuments(round=garbage, results=garbage, pabulib=garbage.decode("latin-1"),
                                       ledger=garbage, invalidations=garbage, receipt="r", receipt_status=garbage))
    assert not report.ok and len(report.checks) == 9
    assert all(check.ok is not True for check in report.checks)
    render(report)
