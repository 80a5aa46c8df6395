"""What staff see of the notifications about a subject: counts by channel and state, and the dead letters."""

from __future__ import annotations

from dataclasses import dataclass, field

from notify.tables import NotifyEvent

DELIVERY_STATES = ("queued", "sent", "failed", "dead", "skipped")
DEAD_LETTERS_SHOWN = 50


@dataclass(frozen=True)
class DeadLetter:
    delivery_id: int
    event_kind: str
    channel: str
    attempts: int
    last_error: str | None


@dataclass
class Counts:
    # Events by state: pending ones are still being fanned out to their audience.
    events: dict[str, int] = field(default_factory=dict)
    feed: int = 0
    sms: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DELIVERY_STATES, 0))
    dead_letters: list[DeadLetter] = field(default_factory=list)


async def counts_of(subject_kind: str, subject_id: str) -> Counts:
    counts = Counts()
    for row in await NotifyEvent.raw(
            "SELECT state, COUNT(*) AS n FROM notify_event WHERE subject_kind = {} AND subject_id = {} GROUP BY state",
            subject_kind, subject_id):
        counts.events[row["state"]] = row["n"]
    feed = await NotifyEvent.raw(
        "SELECT COUNT(*) AS n FROM notify_feed_item f JOIN notify_event e ON e.id = f.event "
        "WHERE e.subject_kind = {} AND e.subject_id = {}", subject_kind, subject_id)
    counts.feed = feed[0]["n"]
    for row in await NotifyEvent.raw(
            "SELECT d.channel, d.state, COUNT(*) AS n FROM notify_delivery d JOIN notify_event e ON e.id = d.event "
            "WHERE e.subject_kind = {} AND e.subject_id = {} GROUP BY d.channel, d.state", subject_kind, subject_id):
        if row["channel"] == "sms":
            counts.sms[row["state"]] = row["n"]
    counts.dead_letters = [DeadLetter(row["id"], row["kind"], row["channel"], row["attempts"], row["last_error"])
                           for row in await NotifyEvent.raw(
        "SELECT d.id, e.kind, d.channel, d.attempts, d.last_error FROM notify_delivery d "
        "JOIN notify_event e ON e.id = d.event WHERE e.subject_kind = {} AND e.subject_id = {} "
        "AND d.state = 'dead' ORDER BY d.id DESC LIMIT {}", subject_kind, subject_id, DEAD_LETTERS_SHOWN)]
    return counts


async def queue_depth() -> dict[str, int]:
    """What waits to go out, for the operations team: events not yet fanned out, and deliveries per channel."""
    depth = {"events": 0, "sms": 0, "push": 0}
    events = await NotifyEvent.raw("SELECT COUNT(*) AS n FROM notify_event WHERE state = 'pending'")
    depth["events"] = events[0]["n"]
    for row in await NotifyEvent.raw(
            "SELECT channel, COUNT(*) AS n FROM notify_delivery WHERE state = 'queued' GROUP BY channel"):
        depth[row["channel"]] = row["n"]
    return depth
