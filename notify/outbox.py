"""The one call every domain makes to tell residents something: `emit`, inside the caller's transaction.

The event row commits or rolls back with the change it reports, so no change is announced that did not
happen and none that happened goes untold when the process dies right after it (an outbox, not "send after
commit"). The worker (notify.worker) delivers it later, in every process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notify.tables import NotifyEvent

# An idea is followed by its author (from the moment it is written), to hear the answer of its review.
FOLLOW_KINDS = ("project", "round", "initiative", "region", "idea")


@dataclass(frozen=True)
class Audience:
    """Who hears of an event: the followers of any of `follows` ((kind, id) pairs) on every channel their
    preferences allow, and, when `region` is set, every resident registered in it or below it, in the feed only
    (a whole city by SMS would cost the akimat a fortune and annoy everyone who did not ask)."""

    follows: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    region: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"follows": [list(pair) for pair in self.follows], "region": self.region}

    @staticmethod
    def from_json(value: dict[str, Any]) -> Audience:
        return Audience(tuple((kind, str(target)) for kind, target in value.get("follows", [])), value.get("region"))


async def emit(kind: str, subject: tuple[str, int | str], audience: Audience, payload: dict[str, Any],
               region: str | None = None, once_key: str | None = None) -> None:
    """Write an event to the outbox in the current transaction (call it inside the caller's transaction).

    `once_key` names an event that must be told once however many processes emit it (a reminder): a second
    emit with the same key writes nothing.
    """
    for follow_kind, _ in audience.follows:
        if follow_kind not in FOLLOW_KINDS:
            raise ValueError(f"unknown follow kind {follow_kind!r}")
    subject_kind, subject_id = subject
    await NotifyEvent.insert(
        NotifyEvent(kind=kind, subject_kind=subject_kind, subject_id=str(subject_id), region=region,
                    audience=audience.as_json(), payload=payload, once_key=once_key)
    ).on_conflict(action="DO NOTHING")
