"""The akimat's API: sign-in, rounds and projects of its region, closing, results, publishing, audit."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter

from admin.schemas import (
    AnomalyOut,
    AuditItem,
    AuditPage,
    DeadLetterOut,
    NotificationCountsOut,
    ProjectIn,
    ReviewIn,
    ReviewOut,
    RoundChanges,
    RoundIn,
    SessionRequest,
    SmsCountsOut,
    StaffIn,
    StaffOut,
    StaffSession,
    VoteRulesIn,
)
from admin.signin import sign_in
from admin.staff import (
    READ_ROLES,
    REVIEW_ROLES,
    create_staff,
    get_staff,
    require_scope,
    revoke_sign_ins,
    scope_path,
)
from budgets import closing, integrity, rounds
from budgets.ballots import VoteRules
from budgets.records import RoundRecord
from budgets.schemas import ProjectOut, ResultsOut, RoundOut, project_out, results_out, round_out
from core import audit
from core.clock import database_now
from core.regions import contains, region_paths
from infra import tokens
from infra.errors import FieldError, NotAuthenticated, RuleBroken
from infra.http import STAFF, STAFF_SECURITY, PathId, request_address
from infra.problems import problems
from infra.settings import Settings
from infra.stores import Store
from notify.reports import counts_of


async def provide_member(staff: NamedDependency[tokens.Principal]) -> dict[str, Any]:
    return await get_staff(staff.id, staff.generation)


def _rules(vote: VoteRulesIn) -> VoteRules:
    return VoteRules(vote.method, vote.min_choices, vote.max_choices, vote.max_cost, vote.points_total)


def _actor(member: dict[str, Any]) -> str:
    return f"staff:{member['id']}"


async def _round_in_scope(member: dict[str, Any], round_id: int,
                          roles: tuple[str, ...] = ("admin",)) -> RoundRecord:
    round_ = await rounds.get_round(round_id)
    await require_scope(member, round_.region, roles, target=f"round:{round_id}")
    return round_


class StaffSessionController(Controller):
    path = "/api/v1/admin/session"
    tags = ["admin"]

    @post("/", operation_id="createStaffSession", status_code=200, summary="Staff sign-in with e-mail and password",
          responses=problems({401: "wrong e-mail, password or two-factor code",
                              429: "too many failed sign-ins for this account or address"}))
    async def session(self, request: Request, data: JSONBody[SessionRequest], settings: NamedDependency[Settings],
                      store: NamedDependency[Store]) -> StaffSession:
        signed_in = await sign_in(store, settings, data.email, data.password, data.totp,
                                  request_address(request) or "unknown")
        if signed_in.must_enrol:
            raise NotAuthenticated("This account needs two-factor sign-in: set it up in the console first.")
        token = tokens.issue(settings.secret_key, tokens.STAFF, signed_in.staff["id"], settings.staff_token_ttl,
                             signed_in.staff["token_generation"])
        return StaffSession(access_token=token, expires_in=settings.staff_token_ttl)

    @post("/revoke", operation_id="revokeStaffSessions", status_code=204,
          dependencies={**STAFF, "member": Provide(provide_member)},
          summary="Sign out everywhere: end every token and console session of my account",
          description="Every access token and console session of the caller's account, this one included, "
                      "stops working at once, in every process. Sign in again to get a new token.",
          security=STAFF_SECURITY, responses=problems({401: "no, bad or already revoked staff token"}))
    async def revoke(self, member: NamedDependency[dict[str, Any]]) -> None:
        await revoke_sign_ins(_actor(member), member)


class AdminController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]
    dependencies = {**STAFF, "member": Provide(provide_member)}
    security = STAFF_SECURITY

    @post("/rounds", operation_id="createRound", summary="Open a round in my region",
          responses=problems({401: "no or bad staff token", 403: "region outside mine", 404: "unknown region",
                     422: "breaks a rule"}))
    async def create_round(self, data: JSONBody[RoundIn], member: NamedDependency[dict[str, Any]],
                           language: NamedDependency[str]) -> RoundOut:
        await require_scope(member, data.region)
        draft = rounds.RoundDraft(
            region=data.region,
            title=rounds.check_text("title", data.title, required=True),
            description=rounds.check_text("description", data.description, required=False),
            budget=data.budget,
            rule=data.rule,
            min_age=data.min_age,
            vote=_rules(data.vote),
            voting_opens_at=data.voting_opens_at,
            voting_closes_at=data.voting_closes_at,
            auto_publish=data.auto_publish,
            min_project_score=data.min_project_score,
            ideas_opens_at=data.ideas_opens_at,
            ideas_closes_at=data.ideas_closes_at,
        )
        return round_out(await rounds.create_round(_actor(member), draft), language, await database_now())

    @get("/rounds", operation_id="listStaffRounds", summary="Rounds of my region and the regions inside it",
         responses=problems({401: "no or bad staff token"}))
    async def list_rounds(self, member: NamedDependency[dict[str, Any]], language: NamedDependency[str],
                          status: Annotated[str | None, QueryParameter(enum=list(rounds.STATUSES))] = None
                          ) -> list[RoundOut]:
        mine = await scope_path(member)
        now = await database_now()
        found = await rounds.list_rounds(status, None)
        paths = await region_paths({r.region for r in found})
        return [round_out(r, language, now) for r in found if contains(mine, paths[r.region])]

    @get("/rounds/{round_id:int}", operation_id="getStaffRound", summary="One round of my region",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round"}))
    async def get_round(self, round_id: PathId, member: NamedDependency[dict[str, Any]],
                        language: NamedDependency[str]) -> RoundOut:
        return round_out(await _round_in_scope(member, round_id, READ_ROLES), language, await database_now())

    @patch("/rounds/{round_id:int}", operation_id="updateRound", summary="Change a round while its state allows it",
           responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round",
                      409: "frozen: voting opened or ballots exist", 422: "breaks a rule"}))
    async def update_round(self, round_id: PathId, data: JSONBody[RoundChanges],
                           member: NamedDependency[dict[str, Any]], language: NamedDependency[str]) -> RoundOut:
        await _round_in_scope(member, round_id)
        changes: dict[str, Any] = {}
        for field in data.__struct_fields__:
            value = getattr(data, field)
            if value is None:
                continue
            if field == "vote":
                value = _rules(value)
            elif field in ("title", "description"):
                value = rounds.check_text(field, value, required=field == "title")
            elif field.endswith("_at") and value.tzinfo is None:
                raise RuleBroken(f"{field}: give the time with a zone.", [FieldError(field, "needs a zone")])
            changes[field] = value
        return round_out(await rounds.update_round(_actor(member), round_id, changes), language, await database_now())

    @post("/rounds/{round_id:int}/projects", operation_id="addProject", summary="Add a project before voting opens",
          responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round",
                     409: "voting has opened", 422: "breaks a rule"}))
    async def add_project(self, round_id: PathId, data: JSONBody[ProjectIn],
                          member: NamedDependency[dict[str, Any]], language: NamedDependency[str],
                          settings: NamedDependency[Settings]) -> ProjectOut:
        await _round_in_scope(member, round_id)
        project = await rounds.add_project(_actor(member), round_id, data.title, data.description, data.cost,
                                           data.region)
        return project_out(project, language, settings.public_url)

    @get("/rounds/{round_id:int}/results", operation_id="getDraftResults",
         summary="Results, from closing on (draft until published)",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round",
                    409: "not closed yet, or still being counted"}))
    async def results(self, round_id: PathId, member: NamedDependency[dict[str, Any]]) -> ResultsOut:
        await _round_in_scope(member, round_id, READ_ROLES)
        return results_out(await closing.results_of(round_id))

    @post("/rounds/{round_id:int}/publish", operation_id="publishResults", status_code=200,
          summary="Publish a closed round's results",
          responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round",
                     409: "not closed"}))
    async def publish(self, round_id: PathId, member: NamedDependency[dict[str, Any]]) -> ResultsOut:
        await _round_in_scope(member, round_id)
        return results_out(await closing.publish(_actor(member), round_id))

    @post("/rounds/{round_id:int}/close", operation_id="closeRound", status_code=200,
          summary="Close voting now (emergency); idempotent",
          responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round"}))
    async def close(self, round_id: PathId, member: NamedDependency[dict[str, Any]],
                    language: NamedDependency[str]) -> RoundOut:
        await _round_in_scope(member, round_id)
        return round_out(await closing.close_now(_actor(member), round_id), language, await database_now())

    @get("/rounds/{round_id:int}/anomalies", operation_id="listAnomalies",
         summary="Surges and clusters found in a round's ballots",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round"}))
    async def anomalies(self, round_id: PathId, member: NamedDependency[dict[str, Any]]) -> list[AnomalyOut]:
        await _round_in_scope(member, round_id, REVIEW_ROLES)
        return [AnomalyOut(**item) for item in await integrity.anomalies(round_id)]

    @get("/rounds/{round_id:int}/notifications", operation_id="getRoundNotificationCounts",
         summary="What residents were told about a round: events, feed items, SMS by state, dead letters",
         responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such round"}))
    async def notifications(self, round_id: PathId, member: NamedDependency[dict[str, Any]]) -> NotificationCountsOut:
        await _round_in_scope(member, round_id, READ_ROLES)
        counts = await counts_of("round", str(round_id))
        return NotificationCountsOut(round_id=round_id, events=counts.events, feed=counts.feed,
                                     sms=SmsCountsOut(**counts.sms),
                                     dead_letters=[DeadLetterOut(**d.__dict__) for d in counts.dead_letters])

    @post("/rounds/{round_id:int}/ballots/{ballot_id:int}/review", operation_id="reviewBallot", status_code=200,
          summary="Quarantine, invalidate or release a ballot, with a reason that is published",
          responses=problems({401: "no or bad staff token", 403: "outside my region", 404: "no such ballot",
                              409: "the ballot's status or the round's state does not allow it",
                              422: "unknown action or no reason"}))
    async def review(self, round_id: PathId, ballot_id: PathId, data: JSONBody[ReviewIn],
                     member: NamedDependency[dict[str, Any]]) -> ReviewOut:
        await _round_in_scope(member, round_id, REVIEW_ROLES)
        return ReviewOut(**await integrity.review_ballot(_actor(member), round_id, ballot_id, data.action,
                                                         data.reason))

    @post("/staff", operation_id="createStaff", summary="Create a staff account in my region",
          responses=problems({401: "no or bad staff token", 403: "outside my region or not an admin",
                     404: "unknown region", 409: "e-mail taken", 422: "breaks a rule"}))
    async def create_staff(self, data: JSONBody[StaffIn], member: NamedDependency[dict[str, Any]]) -> StaffOut:
        await require_scope(member, data.region)
        return StaffOut(**await create_staff(_actor(member), data.email, data.password, data.region, data.role))

    @get("/audit", operation_id="getAuditLog", summary="The audit log of my region, oldest first, in pages",
         responses=problems({401: "no or bad staff token", 400: "bad cursor"}))
    async def audit_log(
        self,
        member: NamedDependency[dict[str, Any]],
        cursor: Annotated[str | None, QueryParameter(pattern=r"^\d{1,18}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> AuditPage:
        items = await audit.page(await scope_path(member), int(cursor or 0), limit)
        next_cursor = str(items[-1]["id"]) if len(items) == limit else None
        return AuditPage(items=[AuditItem(**item) for item in items], next_cursor=next_cursor)
