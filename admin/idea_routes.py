"""Staff reviewing residents' ideas: the queue of a round, one idea, similar ideas, the four decisions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter

from admin.routes import provide_member
from admin.staff import READ_ROLES, REVIEW_ROLES, require_scope
from budgets.rounds import get_round
from ideas import proposals, review
from ideas.rules import CATEGORIES, STATUSES, check_bulk_decision, check_decision
from ideas.schemas import (
    BulkDecisionIn,
    BulkDecisionOut,
    IdeaDecisionIn,
    IdeaOut,
    IdeaPage,
    SimilarIdeaOut,
    ideas_out,
)
from infra.http import STAFF, STAFF_SECURITY, PathId
from infra.problems import problems


async def _idea_in_scope(member: dict[str, Any], idea_id: int, roles: tuple[str, ...]) -> dict[str, Any]:
    idea = await proposals.get_idea(idea_id, staff=True)
    await require_scope(member, (await get_round(idea["round"])).region, roles, target=f"idea:{idea_id}")
    return idea


class IdeaReviewController(Controller):
    path = "/api/v1/admin"
    tags = ["admin ideas"]
    dependencies = {**STAFF, "member": Provide(provide_member)}
    security = STAFF_SECURITY

    @get("/rounds/{round_id:int}/ideas", operation_id="listIdeasForReview",
         summary="A round's ideas for review, hidden ones included, by status, category and sub-region",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round",
                             422: "an unknown sort or a cursor not from this list"}))
    async def queue(self, round_id: PathId, member: NamedDependency[dict[str, Any]], language: NamedDependency[str],
                    status: Annotated[str | None, QueryParameter(enum=list(STATUSES))] = None,
                    sort: Annotated[str, QueryParameter(enum=list(proposals.SORTS))] = "new",
                    category: Annotated[str | None, QueryParameter(enum=list(CATEGORIES))] = None,
                    region: Annotated[str | None, QueryParameter(pattern=r"^\d{9}$")] = None,
                    cursor: Annotated[str | None, QueryParameter(max_length=32)] = None) -> IdeaPage:
        await require_scope(member, (await get_round(round_id)).region, READ_ROLES, target=f"round:{round_id}")
        rows, next_cursor = await proposals.list_ideas(round_id, sort, category, region, cursor, status=status,
                                                       staff=True)
        return IdeaPage(items=await ideas_out(rows, language), next_cursor=next_cursor)

    @get("/ideas/{idea_id:int}", operation_id="getIdeaForReview", summary="One idea, hidden or not",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such idea"}))
    async def idea(self, idea_id: PathId, member: NamedDependency[dict[str, Any]],
                   language: NamedDependency[str]) -> IdeaOut:
        return (await ideas_out([await _idea_in_scope(member, idea_id, READ_ROLES)], language))[0]

    @get("/ideas/{idea_id:int}/similar", operation_id="listSimilarIdeasForReview",
         summary="Ideas of the same round with alike titles (trigram similarity), most alike first",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such idea"}))
    async def similar(self, idea_id: PathId, member: NamedDependency[dict[str, Any]]) -> list[SimilarIdeaOut]:
        await _idea_in_scope(member, idea_id, READ_ROLES)
        return [SimilarIdeaOut(**row) for row in await review.similar(idea_id)]

    @post("/ideas/{idea_id:int}/review", operation_id="reviewIdea", status_code=200,
          summary="Decide an idea: accept (a project of the round), reject, hide or merge",
          description="`accept` needs `cost` and creates the round's project with `idea_id`; `reject`, `hide` and "
                      "`merge` (with `merge_into`) need a reason in kk or ru, which is published as the idea's "
                      "answer. A decided idea is not decided again. The author is notified.",
          responses=problems({401: "no or bad staff token", 403: "outside my region, or not a moderator or admin",
                              404: "no such idea", 409: "already decided, or the round is past its review",
                              422: "a reason or cost missing, or a merge target of another round"}))
    async def review(self, idea_id: PathId, data: JSONBody[IdeaDecisionIn], member: NamedDependency[dict[str, Any]],
                     language: NamedDependency[str]) -> IdeaOut:
        await _idea_in_scope(member, idea_id, REVIEW_ROLES)
        decision = check_decision(data.decision, data.reason, data.cost, data.merge_into, idea_id)
        if decision.merge_into is not None:
            await _idea_in_scope(member, decision.merge_into, REVIEW_ROLES)
        row = await review.decide(f"staff:{member['id']}", idea_id, decision, data.title)
        return (await ideas_out([row], language))[0]

    @post("/rounds/{round_id:int}/ideas/review", operation_id="reviewIdeasTogether", status_code=200,
          summary="Reject or hide several ideas of a round with one reason",
          description="Each idea is decided on its own: those already decided or of another round are left as "
                      "they were and named in `refused` with why.",
          responses=problems({401: "no or bad staff token", 403: "outside my region, or not a moderator or admin",
                              404: "no such round", 422: "a decision other than reject or hide, or no reason"}))
    async def review_many(self, round_id: PathId, data: JSONBody[BulkDecisionIn],
                          member: NamedDependency[dict[str, Any]]) -> BulkDecisionOut:
        await require_scope(member, (await get_round(round_id)).region, REVIEW_ROLES, target=f"round:{round_id}")
        decision = check_bulk_decision(data.decision, data.reason)
        decided, refused = await review.decide_many(f"staff:{member['id']}", round_id, data.ideas, decision)
        return BulkDecisionOut(decided=decided, refused=refused)
