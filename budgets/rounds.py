"""Rounds and their projects: creation, changes while allowed, and the status residents see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from budgets.ballots import InvalidVoteRules, check_vote_rules
from budgets.records import ProjectRecord, RoundDraft, RoundRecord
from budgets.rules import RULES
from budgets.tables import Ballot, Project, Round
from core import audit
from core.clock import as_utc, database_now
from core.regions import contains, region_name, region_path, region_paths
from infra.database import write_transaction
from infra.errors import Conflict, FieldError, NotFound, RuleBroken, listed
from infra.i18n import R_, Term

# In the order a round passes through them; a round without an ideas phase goes from draft to voting.
STATUSES = ("draft", "ideas", "review", "voting", "closed", "published")
# Projects may still be added or changed (staff's own, or accepted ideas) until voting opens.
BEFORE_VOTING = ("draft", "ideas", "review")
# Not yet closed: the statuses that the clock moves on.
NOT_CLOSED = (*BEFORE_VOTING, "voting")
LANGUAGES = ("kk", "ru", "en")


def _phase_by_clock(round_: RoundRecord, now: datetime) -> str:
    if now >= round_.voting_closes_at:
        return "closed"
    if now >= round_.voting_opens_at:
        return "voting"
    if round_.ideas_closes_at is not None and now >= round_.ideas_closes_at:
        return "review"
    if round_.ideas_opens_at is not None and now >= round_.ideas_opens_at:
        return "ideas"
    return "draft"


def effective_status(round_: RoundRecord, now: datetime) -> str:
    """The stored status, advanced by the clock where the scheduler has not caught up yet (never set back)."""
    if round_.status in NOT_CLOSED:
        return max(round_.status, _phase_by_clock(round_, now), key=STATUSES.index)
    return round_.status


def check_text(field: str, text: Mapping[str, str], required: bool) -> dict[str, str]:
    unknown = [lang for lang in text if lang not in LANGUAGES]
    if unknown:
        raise RuleBroken(
            "{field}: texts are given in kk, ru and en only, not {unknown}.",
            [FieldError(field, "use the keys kk, ru, en")], field=field, unknown=", ".join(unknown),
        )
    cleaned = {lang: value.strip() for lang, value in text.items() if value and value.strip()}
    if required and not (cleaned.get("kk") or cleaned.get("ru")):
        raise RuleBroken(
            "{field}: give at least the Kazakh or the Russian text.",
            [FieldError(field, "needs a kk or ru text")], field=field,
        )
    return cleaned


def check_round(draft: RoundDraft, now: datetime) -> RoundDraft:
    errors: list[FieldError] = []
    if draft.rule not in RULES:
        errors.append(FieldError("rule", f"must be one of {', '.join(RULES)}"))
    if not 14 <= draft.min_age <= 120:
        errors.append(FieldError("min_age", "must be between 14 and 120"))
    for field in ("voting_opens_at", "voting_closes_at", "ideas_opens_at", "ideas_closes_at"):
        value = getattr(draft, field)
        if value is not None and value.tzinfo is None:
            errors.append(FieldError(field, "give the time with a zone, e.g. 2026-05-01T09:00:00+05:00"))
    if (draft.ideas_opens_at is None) != (draft.ideas_closes_at is None):
        errors.append(FieldError("ideas_closes_at" if draft.ideas_closes_at is None else "ideas_opens_at",
                                 "give both ideas_opens_at and ideas_closes_at, or neither"))
    if not errors and draft.ideas_opens_at is not None:
        if draft.ideas_opens_at >= draft.ideas_closes_at:
            errors.append(FieldError("ideas_closes_at", "must be after ideas_opens_at"))
        elif draft.ideas_closes_at > draft.voting_opens_at:
            errors.append(FieldError("ideas_closes_at", "must not be after voting_opens_at"))
    if not errors and draft.voting_opens_at >= draft.voting_closes_at:
        errors.append(FieldError("voting_closes_at", "must be after voting_opens_at"))
    if not errors and draft.voting_closes_at <= now:
        errors.append(FieldError("voting_closes_at", "is already in the past"))
    if draft.min_project_score is not None and draft.min_project_score < 0:
        errors.append(FieldError("min_project_score", "must not be negative"))
    try:
        vote = check_vote_rules(draft.vote, draft.budget)
    except InvalidVoteRules as exc:
        errors.extend(exc.errors)
        vote = draft.vote
    if vote.method == "knapsack" and vote.max_cost is not None and vote.max_cost > draft.budget:
        errors.append(FieldError("vote.max_cost", "must not exceed the round's budget"))
    if errors:
        raise RuleBroken("The round breaks these rules: {rules}", errors, rules=listed(errors))
    return replace(draft, vote=vote)


def _round_values(draft: RoundDraft) -> dict[str, Any]:
    return {
        "region": draft.region,
        "title": draft.title,
        "description": draft.description,
        "budget": draft.budget,
        "rule": draft.rule,
        "min_age": draft.min_age,
        "vote_method": draft.vote.method,
        "min_choices": draft.vote.min_choices,
        "max_choices": draft.vote.max_choices,
        "max_cost": draft.vote.max_cost,
        "points_total": draft.vote.points_total,
        "min_project_score": draft.min_project_score,
        "voting_opens_at": draft.voting_opens_at,
        "voting_closes_at": draft.voting_closes_at,
        "auto_publish": draft.auto_publish,
        "ideas_opens_at": draft.ideas_opens_at,
        "ideas_closes_at": draft.ideas_closes_at,
    }


def audit_view(values: Mapping[str, Any]) -> dict[str, Any]:
    """A round's or project's values as JSON for the audit log."""
    return {k: (as_utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


async def get_round(round_id: int) -> RoundRecord:
    row = await Round.select().where(Round.id == round_id).output(load_json=True).first()
    if row is None:
        raise NotFound("There is no round {round}.", round=round_id)
    return RoundRecord.from_row(row)


async def create_round(actor: str, draft: RoundDraft) -> RoundRecord:
    path = await region_path(draft.region)
    now = await database_now()
    draft = check_round(draft, now)
    values = _round_values(draft)
    async with write_transaction():
        row = Round(**values, status="draft", created_at=now)
        await row.save()
        await audit.record(actor, "round.create", f"round:{row.id}", path, None, audit_view(values))
    return await get_round(row.id)


async def update_round(actor: str, round_id: int, changes: Mapping[str, Any]) -> RoundRecord:
    """Apply `changes` (field → new value, `vote` as VoteRules) where the round's state allows them."""
    async with write_transaction():
        current = await get_round(round_id)
        now = await database_now()
        status = effective_status(current, now)
        if status not in NOT_CLOSED:
            raise Conflict("Round {round} is {status}: its settings can no longer change.", round=round_id,
                           status=Term(status))
        if status != "draft" and _changed(changes, current, "ideas_opens_at"):
            raise Conflict("Round {round} is {status}: its ideas phase has begun, so it cannot open later "
                           "or be removed.", round=round_id, status=Term(status))
        if status not in ("draft", "ideas") and _changed(changes, current, "ideas_closes_at"):
            raise Conflict("Round {round} is {status}: the ideas phase is over and its dates are final.",
                           round=round_id, status=Term(status))
        if status == "voting" and set(changes) - {"title", "description", "voting_closes_at", "auto_publish"}:
            raise Conflict(
                "Voting has opened: the budget, rule, eligibility, opening time and vote rules are frozen. "
                "Only texts, the closing time and auto_publish may change."
            )
        if "vote" in changes and await Ballot.exists().where(Ballot.round == round_id):
            raise Conflict("Ballots have been cast in this round: its vote rules can no longer change.")
        # The region is where the round belongs; it is never changed.
        draft = replace(current, **{k: _utc_or_none(v) if isinstance(v, datetime) else v
                                    for k, v in changes.items() if k != "region"})
        values = _round_values(check_round(draft, now))
        await Round.update({getattr(Round, k): v for k, v in values.items()}).where(Round.id == round_id)
        await audit.record(actor, "round.update", f"round:{round_id}", await region_path(current.region),
                           audit_view(_round_values(current)), audit_view(values))
    return await get_round(round_id)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _changed(changes: Mapping[str, Any], current: RoundRecord, field: str) -> bool:
    return field in changes and _utc_or_none(changes[field]) != getattr(current, field)


# A project's refusal once voting opened, for each thing done to it (one whole sentence each, for translators).
PROJECTS_FROZEN = {
    "added": R_("Round {round} is {status}: projects can only be added before voting opens."),
    "changed": R_("Round {round} is {status}: projects can only be changed before voting opens."),
}


async def _project_values(current: RoundRecord, verb: str, title: dict, description: dict, cost: int,
                          region: str | None) -> dict[str, Any]:
    """A project's checked values, while its round (`current`) still takes changes to its projects."""
    status = effective_status(current, await database_now())
    if status not in BEFORE_VOTING:
        raise Conflict(PROJECTS_FROZEN[verb], round=current.id, status=Term(status))
    region = region or current.region
    if not contains(await region_path(current.region), await region_path(region)):
        raise RuleBroken(
            "Project region {region} is outside the round's region {round_region}.",
            [FieldError("region", "must be the round's region or a region inside it")],
            region=await region_name(region), round_region=await region_name(current.region),
        )
    if cost < 1:
        raise RuleBroken("A project costs at least 1 tenge.", [FieldError("cost", "must be positive")])
    return {
        "round": current.id,
        "region": region,
        "title": check_text("title", title, required=True),
        "description": check_text("description", description, required=False),
        "cost": cost,
    }


async def add_project(actor: str, round_id: int, title: dict, description: dict, cost: int,
                      region: str | None) -> ProjectRecord:
    async with write_transaction():
        project_id = await create_project(actor, round_id, title, description, cost, region)
    return await get_project(project_id)


async def create_project(actor: str, round_id: int, title: dict, description: dict, cost: int,
                         region: str | None, idea_id: int | None = None, initiative_id: int | None = None) -> int:
    """Add a project inside the caller's write transaction (an accepted idea, or an initiative put on the
    ballot, commits with its project)."""
    current = await get_round(round_id)
    values = await _project_values(current, "added", title, description, cost, region)
    for name, source in (("idea_id", idea_id), ("initiative_id", initiative_id)):
        if source is not None:
            values[name] = source
    project = Project(**values, created_at=await database_now())
    await project.save()
    await audit.record(actor, "project.create", f"project:{project.id}", await region_path(current.region),
                       None, values)
    return project.id


async def update_project(actor: str, project_id: int, title: dict, description: dict, cost: int,
                         region: str | None) -> ProjectRecord:
    """Change a project's texts, cost or region under the same rules as adding it (before voting opens)."""
    async with write_transaction():
        project = await get_project(project_id)
        current = await get_round(project.round_id)
        values = await _project_values(current, "changed", title, description, cost, region)
        await Project.update({getattr(Project, k): v for k, v in values.items()}).where(Project.id == project_id)
        before = {"round": project.round_id, "region": project.region, "title": project.title,
                  "description": project.description, "cost": project.cost}
        await audit.record(actor, "project.update", f"project:{project_id}", await region_path(current.region),
                           before, values)
    return await get_project(project_id)


async def get_project(project_id: int) -> ProjectRecord:
    row = await Project.select().where(Project.id == project_id).output(load_json=True).first()
    if row is None:
        raise NotFound("There is no project {project}.", project=project_id)
    return ProjectRecord.from_row(row)


async def projects_of(round_id: int) -> list[ProjectRecord]:
    rows = await Project.select().where(Project.round == round_id).order_by(Project.id).output(load_json=True)
    return [ProjectRecord.from_row(row) for row in rows]


async def list_rounds(status: str | None, region: str | None) -> list[RoundRecord]:
    """Rounds of a region, of the regions above it (open to its residents) and of those below it."""
    rounds = [RoundRecord.from_row(row) for row in await Round.select().order_by(Round.id).output(load_json=True)]
    if region:
        path = await region_path(region)
        paths = await region_paths({r.region for r in rounds})
        rounds = [r for r in rounds if contains(paths[r.region], path) or contains(path, paths[r.region])]
    if status:
        now = await database_now()
        rounds = [r for r in rounds if effective_status(r, now) == status]
    return rounds
