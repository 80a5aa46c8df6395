"""The published shapes of ideas (field names are the contract's, see API.md "Ideas"): residents, staff and the
public read the same ones, so both faces answer with these."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from core.clock import as_utc
from ideas.proposals import photos_of
from infra.http import Money, ShortText, Texts, Writing, localized

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class Location(msgspec.Struct):
    lat: Latitude
    lon: Longitude


class IdeaIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Writing
    text: Writing
    category: ShortText
    region: ShortText | None = None
    location: Location | None = None
    estimated_cost: Money | None = None
    # The language it is written in; detected from the text when not given.
    language: ShortText | None = None


class IdeaOut(msgspec.Struct):
    id: int
    round_id: int
    title: str
    text: str
    language: str
    category: str
    region: str
    location: Location | None
    estimated_cost: int | None
    status: str
    supports: int
    created_at: datetime
    # The review's public answer in the asked language, once there is one.
    answer: str | None
    answer_i18n: dict[str, str] | None
    # Set by the review: the reviewed cost and the project of an accepted idea, the idea a merged one joined.
    cost: int | None
    project_id: int | None
    merged_into: int | None
    reviewed_at: datetime | None
    photos: list[str]


class IdeaPage(msgspec.Struct):
    items: list[IdeaOut]
    next_cursor: str | None


class SupportOut(msgspec.Struct):
    supports: int


class IdeaPhotoOut(msgspec.Struct):
    id: int
    idea_id: int
    url: str
    content_type: str
    size: int


class IdeaDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: ShortText
    reason: Texts | None = None
    cost: Money | None = None
    merge_into: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    # The project's title in kk and ru, when accepting an idea written in another language (or to edit it).
    title: Texts | None = None


class BulkDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """One decision (reject or hide) with one reason for several ideas at once."""

    ideas: Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]], msgspec.Meta(min_length=1,
                                                                                          max_length=200)]
    decision: ShortText
    reason: Texts


class BulkDecisionOut(msgspec.Struct):
    decided: list[int]
    # Ideas left as they were, with why (already decided, another round).
    refused: dict[str, str]


class SimilarIdeaOut(msgspec.Struct):
    id: int
    title: str
    status: str
    supports: int
    score: float


def photo_url(idea_id: int, photo_id: int) -> str:
    return f"/api/v1/ideas/{idea_id}/photos/{photo_id}"


async def ideas_out(rows: list[dict[str, Any]], language: str) -> list[IdeaOut]:
    """Ideas as published, with the addresses of their photos."""
    photos = await photos_of([row["id"] for row in rows])
    return [idea_out(row, language, photos.get(row["id"])) for row in rows]


def idea_out(row: dict[str, Any], language: str, photos: list[int] | None = None) -> IdeaOut:
    location = Location(row["lat"], row["lon"]) if row["lat"] is not None and row["lon"] is not None else None
    return IdeaOut(
        id=row["id"],
        round_id=row["round"],
        title=row["title"],
        text=row["text"],
        language=row["language"],
        category=row["category"],
        region=row["region"],
        location=location,
        estimated_cost=row["estimated_cost"],
        status=row["status"],
        supports=row["supports"],
        created_at=as_utc(row["created_at"]),
        answer=localized(row["answer"], language) if row["answer"] else None,
        answer_i18n=row["answer"] or None,
        cost=row["cost"],
        project_id=row["project"],
        merged_into=row["merged_into"],
        reviewed_at=as_utc(row["reviewed_at"]) if row["reviewed_at"] else None,
        photos=[photo_url(row["id"], photo_id) for photo_id in photos or []],
    )
