"""The published shape of an initiative (API.md, "Initiatives"): both faces answer with it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from core.clock import as_utc
from infra.http import localized
from initiatives import rules


class RegionCount(msgspec.Struct):
    region: str
    # None for 1 to 4 signatures (no small cells), and for one more cell when that alone would reveal one.
    signatures: int | None


class AnswerOut(msgspec.Struct):
    decision: str
    text: str
    answered_at: datetime


class InitiativeOut(msgspec.Struct):
    id: int
    region: str
    title: str
    text: str
    language: str
    status: str
    signatures: int
    threshold: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    answer_due_at: datetime | None
    answer_overdue: bool
    answer: AnswerOut | None
    by_region: list[RegionCount]
    # The public reason of a rejection (the author sees it), in the asked language.
    moderation_reason: str | None
    # Democracy Seoul's escalation: past the hearing threshold the akimat holds a public hearing (on
    # `hearing_at`, once staff set it); past the ballot threshold it is proposed for the next round's ballot.
    hearing_required: bool
    hearing_at: datetime | None
    proposed_for_ballot: bool
    created_at: datetime
    # The project of a round's ballot that staff made of it, once the ballot threshold was reached.
    project_id: int | None = None


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value else None


def initiative_out(row: dict, cells: dict[str, int | None], language: str, now: datetime) -> InitiativeOut:
    answer = AnswerOut(decision=row["answer_decision"], text=localized(row["answer_text"], language),
                       answered_at=as_utc(row["answered_at"])) if row["answered_at"] else None
    reason = localized(row["moderation_reason"], language) if row["moderation_reason"] else None
    return InitiativeOut(
        id=row["id"], region=row["region"], title=row["title"], text=row["text"], language=row["language"],
        status=rules.public_status(row["status"], _utc(row["closes_at"]), now),
        signatures=row["signatures"], threshold=row["threshold"], opens_at=_utc(row["opens_at"]),
        closes_at=_utc(row["closes_at"]), answer_due_at=_utc(row["answer_due_at"]),
        answer_overdue=rules.answer_overdue(row["status"], _utc(row["answer_due_at"]), now), answer=answer,
        by_region=[RegionCount(region=kato, signatures=count) for kato, count in cells.items()],
        moderation_reason=reason,
        hearing_required=rules.reached(row["signatures"], row["hearing_threshold"]),
        hearing_at=_utc(row["hearing_at"]),
        proposed_for_ballot=rules.reached(row["signatures"], row["ballot_threshold"]),
        project_id=row["project"],
        created_at=as_utc(row["created_at"]),
    )


# Bodies as read: lengths are bounded only against abuse here; the limits of the rules (initiatives.rules)
# answer 422 naming the field.
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
Texts = dict[Annotated[str, msgspec.Meta(max_length=2)], LongText]
Count = Annotated[int, msgspec.Meta(ge=0, le=10**9)]


class InitiativeIn(msgspec.Struct):
    region: Annotated[str, msgspec.Meta(pattern=r"^\d{9}$")]
    title: LongText
    text: LongText
    # The language it is written in: kk, ru or en (default: the author's).
    language: str | None = None


class InitiativePage(msgspec.Struct):
    items: list[InitiativeOut]
    next_cursor: str | None


class SignaturesOut(msgspec.Struct):
    signatures: int


class ModerationIn(msgspec.Struct):
    decision: str
    reason: Texts | None = None


class AnswerIn(msgspec.Struct):
    decision: str
    text: Texts


class HearingIn(msgspec.Struct):
    hearing_at: datetime | None


class RegionSettingsIn(msgspec.Struct):
    # None: the default (5% of the population, at most 2,500, for a district; 1% for an oblast; at least 100).
    initiative_threshold: Count | None = None
    answer_days: Count = rules.ANSWER_DAYS
    hearing_threshold: Count | None = None
    ballot_threshold: Count | None = None


class RegionSettingsOut(msgspec.Struct):
    region: str
    initiative_threshold: int | None
    answer_days: int
    hearing_threshold: int | None
    ballot_threshold: int | None
    # What applies now: the set threshold, else the default from the population.
    threshold: int
    default_threshold: int


def settings_out(kato: str, found) -> RegionSettingsOut:
    """`found` is initiatives.region_settings.Resolved."""
    chosen = found.set
    return RegionSettingsOut(region=kato, initiative_threshold=chosen.initiative_threshold,
                             answer_days=chosen.answer_days, hearing_threshold=chosen.hearing_threshold,
                             ballot_threshold=chosen.ballot_threshold, threshold=found.threshold,
                             default_threshold=found.default_threshold)


class SurgeOut(msgspec.Struct):
    # surge | device_cluster | origin_cluster
    kind: str
    # "initiative", or the keyed hash of the device or address
    subject: str
    window_start: datetime
    detail: dict[str, Any]
    detected_at: datetime
