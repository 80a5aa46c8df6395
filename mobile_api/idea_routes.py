"""Residents' ideas in a round's ideas phase: propose, support, photos, and the public lists."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import JSONBody, MultipartBody, QueryParameter

from budgets.rounds import get_round
from core.residents import get_resident
from ideas import proposals, review
from ideas.rules import CATEGORIES, check_proposal
from ideas.schemas import (
    IdeaIn,
    IdeaOut,
    IdeaPage,
    IdeaPhotoOut,
    SimilarIdeaOut,
    SupportOut,
    idea_out,
    ideas_out,
    photo_url,
)
from infra.http import RESIDENT, RESIDENT_SECURITY, PathId
from infra.images import MAX_REQUEST_BYTES
from infra.problems import problems
from infra.settings import Settings
from infra.storage import FileStorage
from infra.tokens import Principal

PHOTO_HEADERS = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}
SUPPORT_REFUSALS = problems({401: "no or bad resident token", 403: "not eligible in the idea's round",
                             404: "no such idea", 409: "not in the ideas phase, or the idea was decided"})


class RoundIdeasController(Controller):
    path = "/api/v1/rounds/{round_id:int}/ideas"
    tags = ["ideas"]

    @post("/", operation_id="proposeIdea", dependencies=RESIDENT, security=RESIDENT_SECURITY,
          summary="Propose a project in the round's ideas phase",
          description="At most 5 ideas per person and round. The text is stored as written and always shown "
                      "escaped; its language is detected when `language` is not sent.",
          responses=problems({401: "no or bad resident token", 403: "not eligible for the round",
                              404: "no such round or region", 409: "the round is not in its ideas phase",
                              422: "a text too short or long, an unknown category, a region outside the round",
                              429: "5 ideas already proposed in this round"}))
    async def propose(self, round_id: PathId, data: JSONBody[IdeaIn], resident: NamedDependency[Principal],
                      settings: NamedDependency[Settings], language: NamedDependency[str]) -> IdeaOut:
        proposal = check_proposal(data.title, data.text, data.category, data.language,
                                  data.location.lat if data.location else None,
                                  data.location.lon if data.location else None, data.estimated_cost)
        row = await proposals.propose(settings.secret_key, await get_resident(resident.id), round_id, proposal,
                                      data.region)
        return idea_out(row, language)

    @get("/", operation_id="listIdeas", summary="A round's ideas, by supports or newest, a page at a time",
         description="Hidden ideas are not listed. Pass `next_cursor` of a page as `cursor` for the next one.",
         responses=problems({404: "no such round or region", 422: "an unknown sort or a cursor not from this list"}))
    async def list(self, round_id: PathId, language: NamedDependency[str],
                   sort: Annotated[str, QueryParameter(enum=list(proposals.SORTS))] = "supports",
                   category: Annotated[str | None, QueryParameter(enum=list(CATEGORIES))] = None,
                   region: Annotated[str | None, QueryParameter(pattern=r"^\d{9}$")] = None,
                   cursor: Annotated[str | None, QueryParameter(max_length=32)] = None,
                   limit: Annotated[int, QueryParameter(ge=1, le=100)] = proposals.PAGE) -> IdeaPage:
        rows, next_cursor = await proposals.list_ideas(round_id, sort, category, region, cursor, limit=limit)
        return IdeaPage(items=await ideas_out(rows, language), next_cursor=next_cursor)


    @get("/similar", operation_id="listSimilarIdeas",
         summary="Ideas of the round with titles like the one given: support one instead of proposing a twin",
         description="By trigram similarity (as PostgreSQL's pg_trgm measures it), most alike first; hidden "
                     "ideas are left out.",
         responses=problems({404: "no such round"}))
    async def similar(self, round_id: PathId, title: Annotated[str, QueryParameter(min_length=3, max_length=120)]
                      ) -> list[SimilarIdeaOut]:
        await get_round(round_id)
        return [SimilarIdeaOut(**row) for row in await review.alike(round_id, title)]


class IdeaController(Controller):
    path = "/api/v1/ideas/{idea_id:int}"
    tags = ["ideas"]

    @get("/", operation_id="getIdea", summary="One idea with its supports and the review's answer",
         responses=problems({404: "no such idea, or hidden"}))
    async def idea(self, idea_id: PathId, language: NamedDependency[str]) -> IdeaOut:
        return (await ideas_out([await proposals.get_idea(idea_id)], language))[0]

    @put("/support", operation_id="supportIdea", dependencies=RESIDENT, security=RESIDENT_SECURITY,
         summary="Support an idea (once per person; again changes nothing)", responses=SUPPORT_REFUSALS)
    async def support(self, idea_id: PathId, resident: NamedDependency[Principal],
                      settings: NamedDependency[Settings]) -> SupportOut:
        return SupportOut(await proposals.support(settings.secret_key, await get_resident(resident.id), idea_id))

    @delete("/support", operation_id="withdrawIdeaSupport", status_code=200, dependencies=RESIDENT,
            security=RESIDENT_SECURITY, summary="Withdraw my support while the ideas phase lasts",
            responses=SUPPORT_REFUSALS)
    async def withdraw(self, idea_id: PathId, resident: NamedDependency[Principal],
                       settings: NamedDependency[Settings]) -> SupportOut:
        return SupportOut(await proposals.withdraw(settings.secret_key, await get_resident(resident.id), idea_id))

    @post("/photos", operation_id="addIdeaPhoto", dependencies=RESIDENT, security=RESIDENT_SECURITY,
          request_max_body_size=MAX_REQUEST_BYTES,
          summary="Add a photo to my idea (multipart field `file`: JPEG, PNG or WebP, at most 5 MB)",
          description="The photo is re-encoded without its metadata (a phone's EXIF names where it was taken). "
                      "At most 3 photos per idea, while it awaits review.",
          responses=problems({401: "no or bad resident token", 403: "not the idea's author", 404: "no such idea",
                              409: "the idea has been decided",
                              422: "not a photo, larger than 5 MB, or the idea has 3 photos"}))
    async def add_photo(self, idea_id: PathId, data: MultipartBody[dict[str, Any]],
                        resident: NamedDependency[Principal], storage: NamedDependency[FileStorage]
                        ) -> IdeaPhotoOut:
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        stored = await proposals.add_photo(storage, await get_resident(resident.id), idea_id, content)
        return IdeaPhotoOut(url=photo_url(idea_id, stored["id"]), **stored)

    @get("/photos/{photo_id:int}", operation_id="getIdeaPhoto", media_type="image/*",
         summary="A photo of an idea", responses=problems({404: "no such idea or photo"}))
    async def photo(self, idea_id: PathId, photo_id: PathId, storage: NamedDependency[FileStorage]
                    ) -> Response[bytes]:
        content, content_type = await proposals.photo(storage, idea_id, photo_id)
        return Response(content, media_type=content_type, headers=PHOTO_HEADERS)


class MyIdeasController(Controller):
    path = "/api/v1/me/ideas"
    tags = ["ideas"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @get("/", operation_id="listMyIdeas", summary="The ideas I proposed, newest first, with their answers",
         responses=problems({401: "no or bad resident token"}))
    async def mine(self, resident: NamedDependency[Principal], language: NamedDependency[str]) -> list[IdeaOut]:
        return await ideas_out(await proposals.my_ideas(resident.id), language)
