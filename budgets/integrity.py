"""Keeping the count honest: staff review of ballots, the public invalidation log, anomaly detection
(surges and clusters) and the nightly recount.

No ballot is ever deleted. Staff may quarantine (set aside pending review), invalidate or release a
ballot only with a reason; each step is in the audit log, and every invalidation is published with its
reason, so the public can see what was removed from the count and why.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from budgets.ballots import stored_choices
from budgets.casting import pseudonym
from budgets.ledger import receipt_hash
from budgets.rounds import NOT_CLOSED, get_round
from budgets.tables import Anomaly, Ballot, Round, RoundResult
from core import audit
from core.clock import as_utc, database_now
from core.regions import region_path
from infra.database import is_unique_violation, write_transaction
from infra.errors import Conflict, FieldError, NotFound, RuleBroken

REVIEW_ACTIONS = {
    # action: (statuses it applies to, the status it sets)
    "quarantine": (("counted",), "quarantined"),
    "invalidate": (("counted", "quarantined"), "invalidated"),
    "release": (("quarantined",), "counted"),
}
MIN_REASON = 10
MAX_REASON = 2000

WINDOW = timedelta(minutes=5)
BASELINE_WINDOWS = 12
SURGE_FACTOR = 4
SURGE_MINIMUM = 50
DEVICE_VOTERS = 5
ORIGIN_VOTERS = 100
ORIGIN_SHARE = 0.3
MAX_LISTED_BALLOTS = 1000


async def review_ballot(actor: str, round_id: int, ballot_id: int, action: str, reason: str) -> dict[str, Any]:
    if action not in REVIEW_ACTIONS:
        raise RuleBroken(f"action must be one of {', '.join(REVIEW_ACTIONS)}.",
                         [FieldError("action", "unknown review action")])
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise RuleBroken(f"Give the reason in at least {MIN_REASON} characters: it is published with the decision.",
                         [FieldError("reason", "too short")])
    if len(reason) > MAX_REASON:
        raise RuleBroken(f"Give the reason in at most {MAX_REASON} characters.", [FieldError("reason", "too long")])
    allowed, status = REVIEW_ACTIONS[action]
    async with write_transaction():
        round_ = await get_round(round_id)
        if round_.tallied_at is not None:
            raise Conflict(f"Round {round_id} has been counted; ballots can no longer change status.")
        ballot = await Ballot.select(Ballot.id, Ballot.status, Ballot.voter, Ballot.revision, Ballot.receipt).where(
            (Ballot.id == ballot_id) & (Ballot.round == round_id)
        ).first()
        if ballot is None:
            raise NotFound(f"Round {round_id} has no ballot {ballot_id}.")
        if ballot["status"] not in allowed:
            raise Conflict(f"Ballot {ballot_id} is {ballot['status']}; '{action}' applies to {' or '.join(allowed)}.")
        if action == "release" and await Ballot.exists().where(
            (Ballot.round == round_id) & (Ballot.voter == ballot["voter"]) & (Ballot.revision > ballot["revision"])
        ):
            status = "superseded"  # the voter has cast again meanwhile: the later ballot counts
        now = await database_now()
        await Ballot.update({Ballot.status: status, Ballot.review_reason: reason, Ballot.reviewed_at: now}).where(
            Ballot.id == ballot_id
        )
        await audit.record(actor, f"ballot.{action}", f"ballot:{ballot_id}", await region_path(round_.region),
                           {"status": ballot["status"]}, {"status": status, "reason": reason})
    return {"ballot_id": ballot_id, "receipt_hash": receipt_hash(ballot["receipt"]), "status": status,
            "reason": reason}


def review_actions(status: str) -> list[str]:
    """The review actions that a ballot in `status` allows."""
    return [action for action, (allowed, _) in REVIEW_ACTIONS.items() if status in allowed]


async def ballots_for_review(round_id: int, ballot_ids: list[int]) -> list[dict[str, Any]]:
    """What staff see of ballots under review: when and from which (hashed) source, never the voter."""
    rows = await Ballot.select(Ballot.id, Ballot.receipt, Ballot.cast_at, Ballot.status, Ballot.origin, Ballot.device,
                               Ballot.review_reason).where(
        (Ballot.round == round_id) & Ballot.id.is_in(ballot_ids or [0])
    ).order_by(Ballot.cast_at).order_by(Ballot.id)
    return [
        {"id": r["id"], "receipt_hash": receipt_hash(r["receipt"]), "cast_at": as_utc(r["cast_at"]),
         "status": r["status"], "origin": r["origin"], "device": r["device"], "reason": r["review_reason"],
         "actions": review_actions(r["status"])}
        for r in rows
    ]


async def invalidations(round_id: int) -> list[dict[str, Any]]:
    """The public log of ballots removed from the count, with the published reason."""
    await get_round(round_id)
    rows = await Ballot.select(Ballot.receipt, Ballot.status, Ballot.review_reason, Ballot.reviewed_at).where(
        (Ballot.round == round_id) & Ballot.status.is_in(["invalidated", "quarantined"])
    ).order_by(Ballot.reviewed_at)
    return [
        {"receipt_hash": receipt_hash(r["receipt"]), "status": r["status"], "reason": r["review_reason"],
         "at": as_utc(r["reviewed_at"])}
        for r in rows
    ]


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    window_start: datetime
    window_end: datetime
    detail: dict[str, Any]


def window_of(moment: datetime) -> datetime:
    seconds = int(as_utc(moment).timestamp())
    return datetime.fromtimestamp(seconds - seconds % int(WINDOW.total_seconds()), tz=as_utc(moment).tzinfo)


def find_surges(per_window: dict[datetime, int], current: datetime) -> list[Finding]:
    """A window far above the round's own recent baseline: an ordinary evening rises, stuffing jumps."""
    count = per_window.get(current, 0)
    previous = [per_window.get(current - WINDOW * k, 0) for k in range(1, BASELINE_WINDOWS + 1)]
    baseline = statistics.median(previous)
    if count >= SURGE_MINIMUM and count > SURGE_FACTOR * max(baseline, 1):
        return [Finding("surge", "round", current, current + WINDOW,
                        {"ballots": count, "baseline": baseline, "factor": round(count / max(baseline, 1), 1)})]
    return []


@dataclass(frozen=True)
class WindowTraffic:
    """What the cluster rules see of one window: how many voters in all, and per device and per address
    (only the sources with enough voters to matter, as the database groups them)."""

    voters: int
    by_device: dict[str, int]
    by_origin: dict[str, int]


def find_clusters(traffic: WindowTraffic, start: datetime) -> list[Finding]:
    """Many voters from one device, or a large share of a window's voters from one address."""
    findings = [
        Finding("device_cluster", source, start, start + WINDOW, {"voters": voters})
        for source, voters in traffic.by_device.items() if voters >= DEVICE_VOTERS
    ]
    total = traffic.voters or 1
    findings += [
        Finding("address_cluster", source, start, start + WINDOW, {"voters": voters, "share": round(voters / total, 2)})
        for source, voters in traffic.by_origin.items() if voters >= ORIGIN_VOTERS and voters / total >= ORIGIN_SHARE
    ]
    return findings


async def _record(round_id: int, finding: Finding, now: datetime) -> bool:
    try:
        await Anomaly.insert(Anomaly(round=round_id, kind=finding.kind, subject=finding.subject,
                                     window_start=finding.window_start, window_end=finding.window_end,
                                     detail=finding.detail, detected_at=now))
        return True
    except Exception as exc:
        if is_unique_violation(exc):
            return False  # already recorded by this or another process
        raise


# The database counts and groups a window's ballots: at a city's peak an hour holds hundreds of thousands,
# which must never pass through the server's event loop while residents vote.
VOTERS_BY_SOURCE = """
SELECT {source} AS source, count(DISTINCT voter) AS voters FROM ballot
WHERE round = {{}} AND cast_at >= {{}} AND cast_at < {{}} AND {source} IS NOT NULL
GROUP BY {source} HAVING count(DISTINCT voter) >= {{}}
"""


async def _window_traffic(round_id: int, start: datetime) -> WindowTraffic:
    window = (round_id, start, start + WINDOW)
    voters = await Ballot.count(distinct=[Ballot.voter]).where(_in_window(*window))
    by_source = {}
    for source, least in (("device", DEVICE_VOTERS), ("origin", ORIGIN_VOTERS)):
        rows = await Ballot.raw(VOTERS_BY_SOURCE.format(source=source), *window, least)
        by_source[source] = {row["source"]: row["voters"] for row in rows}
    return WindowTraffic(voters, by_source["device"], by_source["origin"])


def _in_window(round_id: int, start: datetime, end: datetime):
    return (Ballot.round == round_id) & (Ballot.cast_at >= start) & (Ballot.cast_at < end)


async def _listed(round_id: int, start: datetime, source: tuple[Any, str] | None = None) -> list[int]:
    """The first ballots of a window, of one source if given, in the order they were cast."""
    where = _in_window(round_id, start, start + WINDOW)
    if source:
        where &= source[0] == source[1]
    rows = await Ballot.select(Ballot.id).where(where).order_by(Ballot.cast_at).order_by(Ballot.id).limit(
        MAX_LISTED_BALLOTS)
    return [row["id"] for row in rows]


async def detect_anomalies() -> int:
    """Look at the last complete window of every round taking votes; returns how many were new."""
    now = await database_now()
    current = window_of(now) - WINDOW
    recorded = 0
    for row in await Round.select(Round.id).where(Round.status.is_in(list(NOT_CLOSED))):
        per_window = {
            current - WINDOW * k: await Ballot.count().where(
                _in_window(row["id"], current - WINDOW * k, current - WINDOW * (k - 1)))
            for k in range(BASELINE_WINDOWS + 1)
        }
        findings = find_surges(per_window, current) + find_clusters(await _window_traffic(row["id"], current), current)
        for finding in findings:
            if finding.kind == "surge":
                finding.detail["ballots_listed"] = await _listed(row["id"], current)
            else:
                column = Ballot.device if finding.kind == "device_cluster" else Ballot.origin
                finding.detail["ballots"] = await _listed(row["id"], current, (column, finding.subject))
            recorded += await _record(row["id"], finding, now)
    return recorded


def ballots_involved(anomaly: dict[str, Any]) -> tuple[int, list[int]]:
    """How many ballots an anomaly involves and the ids it lists: a surge lists at most MAX_LISTED_BALLOTS of
    its window's ballots, a cluster those of its source, a recount mismatch none."""
    detail = anomaly["detail"]
    listed = detail.get("ballots_listed", detail.get("ballots"))
    listed = listed if isinstance(listed, list) else []
    counted = detail.get("ballots")
    return (counted if isinstance(counted, int) else len(listed)), listed


async def set_aside_person(secret_key: str, identity: str, reason: str) -> dict[int, int]:
    """Invalidate a person's live ballots in every round not yet counted, with a published reason.

    Call inside the transaction that releases the identity. Nothing is deleted and the ledger (which
    leaves status out of its hash) is unchanged; the ballots appear in the round's invalidations.
    Returns how many ballots were set aside per round.
    """
    now = await database_now()
    set_aside: dict[int, int] = {}
    for row in await Round.select(Round.id).where(Round.tallied_at.is_null() & (Round.voting_opens_at <= now)):
        changed = await Ballot.update({Ballot.status: "invalidated", Ballot.review_reason: reason,
                                       Ballot.reviewed_at: now}).where(
            (Ballot.round == row["id"]) & (Ballot.voter == pseudonym(secret_key, row["id"], identity))
            & Ballot.status.is_in(["counted", "quarantined"])
        ).returning(Ballot.id)
        if changed:
            set_aside[row["id"]] = len(changed)
    return set_aside


async def record_over(region: str, finding: Finding) -> int:
    """Record a finding about residents of `region` in every round taking votes there (its own and the
    regions above it), so that staff see it on each round's integrity page; how many were new."""
    ancestors = [kato for kato in (await region_path(region)).split("/") if kato]
    rounds = await Round.select(Round.id).where(Round.status.is_in(list(NOT_CLOSED)) & Round.region.is_in(ancestors))
    now = await database_now()
    return sum([await _record(row["id"], finding, now) for row in rounds])


async def count_anomalies(round_id: int) -> int:
    return await Anomaly.count().where(Anomaly.round == round_id)


async def anomalies(round_id: int) -> list[dict[str, Any]]:
    rows = await Anomaly.select().where(Anomaly.round == round_id).order_by(Anomaly.window_start).output(load_json=True)
    return [
        {"id": r["id"], "kind": r["kind"], "subject": r["subject"], "window_start": as_utc(r["window_start"]),
         "window_end": as_utc(r["window_end"]), "detail": r["detail"], "detected_at": as_utc(r["detected_at"])}
        for r in rows
    ]


def tally_votes(choices_rows: list[Any]) -> tuple[int, Counter]:
    votes: Counter = Counter()
    for choices in choices_rows:
        for project_id, _ in stored_choices(choices):
            votes[int(project_id)] += 1
    return len(choices_rows), votes


async def recount_all() -> list[int]:
    """Recount every counted round from its ballots; a difference from the stored result is an alarm."""
    now = await database_now()
    mismatched = []
    for result in await RoundResult.select().output(load_json=True):
        round_id = result["round"]
        rows = await Ballot.select(Ballot.choices).where((Ballot.round == round_id) & (Ballot.status == "counted"))
        voters, votes = tally_votes([r["choices"] for r in rows])
        stored = {p["project_id"]: p["votes"] for p in result["projects"]}
        recounted = {pid: votes.get(pid, 0) for pid in stored}
        if voters == result["voters"] and recounted == stored:
            continue
        mismatched.append(round_id)
        detail = {"stored_voters": result["voters"], "recounted_voters": voters,
                  "projects": {str(pid): [stored[pid],
                                          recounted[pid]] for pid in stored if stored[pid] != recounted[pid]}}
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if await _record(round_id, Finding("recount_mismatch", "round", day, day + timedelta(days=1), detail), now):
            round_ = await get_round(round_id)
            await audit.record(audit.SCHEDULER, "round.recount_mismatch", f"round:{round_id}",
                               await region_path(round_.region), None, detail)
    return mismatched
