"""The akimat's side of initiatives: the moderation queue, moderation, the answer, the hearing, the settings."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from admin import ballot_proposals
from admin.routes import provide_member
from admin.schemas import BallotProposalIn
from admin.staff import READ_ROLES, REVIEW_ROLES, require_scope, scope_path
from budgets.rounds import get_project, get_round
from budgets.schemas import ProjectOut, project_out
from core.clock import database_now
from infra.http import MAX_ID, STAFF, STAFF_SECURITY, PathId
from infra.problems import problems
from infra.settings import Settings
from initiatives import petitions, reading, region_settings, rules, surges
from initiatives.schemas import (
    AnswerIn,
    HearingIn,
    InitiativeOut,
    InitiativePage,
    ModerationIn,
    RegionSettingsIn,
    RegionSettingsOut,
    SurgeOut,
    settings_out,
)

Kato = Annotated[str, PathParameter(pattern=r"^\d{9}$", description="the region's KATO code")]
MEMBER = {**STAFF, "member": Provide(provide_member)}


def _actor(member: dict[str, Any]) -> str:
    return f"staff:{member['id']}"


async def in_scope(member: dict[str, Any], initiative_id: int, roles: tuple[str, ...] = REVIEW_ROLES) -> dict:
    """The initiative, when `member` acts in its addressee region in one of `roles` (audited refusal else)."""
    row = await petitions.get_row(initiative_id)
    await require_scope(member, row["region"], roles, target=f"initiative:{initiative_id}")
    return row


class AdminInitiativeController(Controller):
    path = "/api/v1/admin/initiatives"
    tags = ["admin initiatives"]
    dependencies = MEMBER
    security = STAFF_SECURITY

    @get("/", operation_id="listStaffInitiatives",
         summary="Initiatives addressed to my region and the regions inside it; the moderation queue by default",
         responses=problems({401: "no or bad staff token"}))
    async def initiatives(
        self, member: NamedDependency[dict[str, Any]], language: NamedDependency[str],
        status: Annotated[str, QueryParameter(enum=list(rules.STATUSES))] = "moderation",
        cursor: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, required=False)] = None,
    ) -> InitiativePage:
        now = await database_now()
        rows = await reading.page_of(now, status, after=cursor, statuses=rules.STATUSES,
                                     within=await scope_path(member))
        return InitiativePage(items=await reading.shaped(rows, language, now), next_cursor=reading.next_cursor(rows))

    @get("/{initiative_id:int}", operation_id="getStaffInitiative", summary="One initiative of my region",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such initiative"}))
    async def initiative(self, initiative_id: PathId, member: NamedDependency[dict[str, Any]],
                         language: NamedDependency[str]) -> InitiativeOut:
        return await reading.shaped_one(await in_scope(member, initiative_id, READ_ROLES), language)

    @post("/{initiative_id:int}/moderate", operation_id="moderateInitiative", status_code=200,
          summary="Publish an initiative (signing opens) or reject it with a public reason",
          responses=problems({401: "no or bad staff token", 403: "outside my region or not a moderator",
                              404: "no such initiative", 409: "already moderated",
                              422: "unknown decision, or a rejection without a reason"}))
    async def moderate(self, initiative_id: PathId, data: JSONBody[ModerationIn],
                       member: NamedDependency[dict[str, Any]], language: NamedDependency[str]) -> InitiativeOut:
        await in_scope(member, initiative_id)
        moderated = await petitions.moderate(_actor(member), initiative_id, data.decision, data.reason)
        return await reading.shaped_one(moderated, language)

    @post("/{initiative_id:int}/answer", operation_id="answerInitiative", status_code=200,
          summary="The akimat's answer: accepted, partly or declined, with its text",
          description="The author and every signer are notified.",
          responses=problems({401: "no or bad staff token", 403: "outside my region or not a moderator",
                              404: "no such initiative", 409: "not collecting or awaiting an answer",
                              422: "unknown decision, or a text outside its limits"}))
    async def answer(self, initiative_id: PathId, data: JSONBody[AnswerIn], member: NamedDependency[dict[str, Any]],
                     language: NamedDependency[str]) -> InitiativeOut:
        await in_scope(member, initiative_id)
        answered = await petitions.answer(_actor(member), initiative_id, data.decision, data.text)
        return await reading.shaped_one(answered, language)

    @post("/{initiative_id:int}/hearing", operation_id="scheduleInitiativeHearing", status_code=200,
          summary="Set (or clear, with null) the date of the initiative's public hearing",
          responses=problems({401: "no or bad staff token", 403: "outside my region or not a moderator",
                              404: "no such initiative", 409: "not public", 422: "a time without a zone"}))
    async def hearing(self, initiative_id: PathId, data: JSONBody[HearingIn], member: NamedDependency[dict[str, Any]],
                      language: NamedDependency[str]) -> InitiativeOut:
        await in_scope(member, initiative_id)
        scheduled = await petitions.set_hearing(_actor(member), initiative_id, data.hearing_at)
        return await reading.shaped_one(scheduled, language)

    @post("/{initiative_id:int}/ballot", operation_id="putInitiativeOnBallot",
          summary="Put an initiative past its ballot threshold on a round's ballot, as a project",
          description="Democracy Seoul's third step: a round of the initiative's region (or one above it) that has "
                      "not opened voting gets a project with the initiative's title and text (or `title` in kk or "
                      "ru) at the reviewed `cost`; the initiative shows it as `project_id`. Once per initiative.",
          responses=problems({401: "no or bad staff token", 403: "outside my region, or not an admin",
                              404: "no such initiative or round",
                              409: "short of the ballot threshold, already on a ballot, or voting has opened",
                              422: "a round of another region, a bad cost or title"}))
    async def ballot(self, initiative_id: PathId, data: JSONBody[BallotProposalIn],
                     member: NamedDependency[dict[str, Any]], language: NamedDependency[str],
                     settings: NamedDependency[Settings]) -> ProjectOut:
        await in_scope(member, initiative_id, ("admin",))
        await require_scope(member, (await get_round(data.round_id)).region, ("admin",),
                            target=f"round:{data.round_id}")
        project_id = await ballot_proposals.put_on_ballot(_actor(member), initiative_id, data.round_id, data.cost,
                                                          data.title)
        return project_out(await get_project(project_id), language, settings.public_url)

    @get("/{initiative_id:int}/surges", operation_id="listInitiativeSurges",
         summary="Surges and one-source clusters found in an initiative's signatures",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such initiative"}))
    async def surges(self, initiative_id: PathId, member: NamedDependency[dict[str, Any]]) -> list[SurgeOut]:
        await in_scope(member, initiative_id)
        return [SurgeOut(**flag) for flag in await surges.flags_of(initiative_id)]


class RegionSettingsController(Controller):
    path = "/api/v1/admin/regions/{kato:str}/settings"
    tags = ["admin initiatives"]
    dependencies = MEMBER
    security = STAFF_SECURITY

    @get("/", operation_id="getRegionSettings", summary="My region's settings for initiatives",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "unknown region"}))
    async def settings(self, kato: Kato, member: NamedDependency[dict[str, Any]]) -> RegionSettingsOut:
        await require_scope(member, kato, READ_ROLES)
        return settings_out(kato, await region_settings.resolved(kato))

    @put("/", operation_id="setRegionSettings",
         summary="Replace my region's settings for initiatives (threshold, answer days, escalations)",
         description="A threshold left out or null is the default: 5% of the population, at most 2,500, for a "
                     "district or okrug; 1% for an oblast or a city of republican significance; at least 100. "
                     "Initiatives already collecting keep the threshold they were published with.",
         responses=problems({401: "no or bad staff token", 403: "outside my region or not an admin",
                             404: "unknown region", 422: "a figure out of bounds, or escalations not rising"}))
    async def set_settings(self, kato: Kato, data: JSONBody[RegionSettingsIn],
                           member: NamedDependency[dict[str, Any]]) -> RegionSettingsOut:
        await require_scope(member, kato)
        wanted = rules.RegionRules(data.initiative_threshold, data.answer_days, data.hearing_threshold,
                                   data.ballot_threshold)
        return settings_out(kato, await region_settings.set_rules(_actor(member), kato, wanted))
