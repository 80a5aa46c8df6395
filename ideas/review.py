"""Staff's side of ideas: the review's four decisions, duplicates, and what the console charts.

A decision is final (409 after it), audited, and told to the idea's author in the same transaction. Accepting
creates the round's project with the reviewed cost, so the idea reaches the ballot the moment it is accepted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from budgets.rounds import create_project, effective_status, get_round
from core import audit
from core.clock import database_now
from core.regions import region_path
from ideas.proposals import get_idea
from ideas.rules import DECIDED, SIMILARITY_THRESHOLD, Decision, similarity
from ideas.tables import Idea, IdeaSupport
from infra.database import is_postgres, write_transaction
from infra.errors import Conflict, DomainError, FieldError, RuleBroken
from notify.outbox import Audience, emit

# A merge may join an idea that is still open or already accepted, never one that was turned down.
MERGE_TARGETS = ("submitted", "accepted")


async def decide(actor: str, idea_id: int, decision: Decision, title: dict[str, str] | None = None
                 ) -> dict[str, Any]:
    """Apply one decision; `title` ({kk, ru, en}) names the project when the idea's own title will not do."""
    async with write_transaction():
        # Claimed by the update itself: of two reviewers deciding at once, one decides, the other gets 409.
        claimed = await Idea.update({Idea.status: DECIDED[decision.decision]}).where(
            (Idea.id == idea_id) & (Idea.status == "submitted")).returning(Idea.id)
        idea = await get_idea(idea_id, staff=True)
        if not claimed:
            raise Conflict(f"Idea {idea_id} has already been decided: it is {idea['status']}.")
        round_ = await get_round(idea["round"])
        status = effective_status(round_, await database_now())
        if decision.decision != "hide" and status not in ("ideas", "review"):
            raise Conflict(f"Round {round_.id} is {status}: ideas are accepted, rejected or merged only "
                           "during its ideas phase and review.")
        changes: dict[Any, Any] = {Idea.answer: decision.reason or None, Idea.reviewed_by: actor,
                                   Idea.reviewed_at: await database_now()}
        if decision.decision == "accept":
            project_title = title or {idea["language"]: idea["title"]}
            changes[Idea.cost] = decision.cost
            changes[Idea.project] = await create_project(
                actor, round_.id, project_title, {idea["language"]: idea["text"]}, decision.cost,
                idea["region"], idea_id=idea_id)
        if decision.decision == "merge":
            changes[Idea.merged_into] = await _merge(idea, decision.merge_into)
        await Idea.update(changes).where(Idea.id == idea_id)
        path = await region_path(round_.region)
        after = {"status": DECIDED[decision.decision], "answer": decision.reason,
                 **({"cost": decision.cost, "project": changes[Idea.project]} if decision.decision == "accept"
                    else {}),
                 **({"merged_into": decision.merge_into} if decision.decision == "merge" else {})}
        await audit.record(actor, f"idea.{decision.decision}", f"idea:{idea_id}", path, {"status": "submitted"},
                           after)
        await emit("idea.reviewed", ("idea", idea_id), Audience((("idea", str(idea_id)),)),
                   {"idea_id": idea_id, "round_id": round_.id, "title": {idea["language"]: idea["title"]},
                    "decision": decision.decision}, region=round_.region)
    return await get_idea(idea_id, staff=True)


async def decide_many(actor: str, round_id: int, idea_ids: list[int], decision: Decision
                      ) -> tuple[list[int], dict[str, str]]:
    """One decision with one reason for many ideas of a round, each in its own transaction: the ideas that
    could be decided are, and each of the others is named with why it was left."""
    decided: list[int] = []
    refused: dict[str, str] = {}
    rounds_of = {row["id"]: row["round"] for row in await Idea.select(Idea.id, Idea.round).where(
        Idea.id.is_in(idea_ids))}
    for idea_id in dict.fromkeys(idea_ids):
        if rounds_of.get(idea_id) != round_id:
            refused[str(idea_id)] = f"Idea {idea_id} is not an idea of round {round_id}."
            continue
        try:
            await decide(actor, idea_id, decision)
        except DomainError as exc:
            refused[str(idea_id)] = exc.detail
        else:
            decided.append(idea_id)
    return decided, refused


async def _merge(idea: dict[str, Any], target_id: int) -> int:
    """Carry the idea's supports (and its author's) over to the target, each person counted once."""
    target = await Idea.select(Idea.id, Idea.round, Idea.status).where(Idea.id == target_id).first()
    if target is None or target["round"] != idea["round"]:
        raise RuleBroken(f"Idea {target_id} is not an idea of the same round.",
                         [FieldError("merge_into", "must be an idea of the same round")])
    if target["status"] not in MERGE_TARGETS:
        raise Conflict(f"Idea {target_id} is {target['status']}: merge into an idea still open or accepted.")
    # The target's row is locked first, so a support arriving meanwhile waits and then counts on top.
    await Idea.update({Idea.supports: Idea.supports}).where(Idea.id == target_id)
    now = await database_now()
    await Idea.raw(
        "INSERT INTO idea_support (idea, supporter, created_at) "
        "SELECT {}, supporter, created_at FROM idea_support WHERE idea = {} ON CONFLICT DO NOTHING",
        target_id, idea["id"])
    await IdeaSupport.insert(IdeaSupport(idea=target_id, supporter=idea["author_identity"], created_at=now)
                             ).on_conflict(action="DO NOTHING")
    await Idea.raw("UPDATE idea SET supports = (SELECT count(*) FROM idea_support WHERE idea = {}) WHERE id = {}",
                   target_id, target_id)
    return target_id


async def similar(idea_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """Ideas of the same round whose titles are alike, hidden ones included (the reviewer's duplicates)."""
    idea = await get_idea(idea_id, staff=True)
    return await alike(idea["round"], idea["title"], limit, exclude=idea_id, with_hidden=True)


async def alike(round_id: int, title: str, limit: int = 10, exclude: int | None = None,
                with_hidden: bool = False) -> list[dict[str, Any]]:
    """A round's ideas with titles like `title` (pg_trgm on PostgreSQL, the same measure in Python elsewhere),
    most alike first: the reviewer's duplicates, and what a resident about to propose may support instead."""
    hidden = "" if with_hidden else " AND status <> 'hidden'"
    if is_postgres():
        rows = await Idea.raw(
            "SELECT id, title, status, supports, similarity(title, {}) AS score FROM idea "
            f"WHERE round = {{}} AND id <> {{}}{hidden} AND similarity(title, {{}}) >= {{}} "
            "ORDER BY score DESC, id LIMIT {}",
            title, round_id, exclude or 0, title, SIMILARITY_THRESHOLD, limit)
        return [{**row, "score": round(float(row["score"]), 3)} for row in rows]
    where = (Idea.round == round_id) & (Idea.id != (exclude or 0))
    if not with_hidden:
        where &= Idea.status != "hidden"
    others = await Idea.select(Idea.id, Idea.title, Idea.status, Idea.supports).where(where)
    scored = [{**row, "score": round(similarity(title, row["title"]), 3)} for row in others]
    found = [row for row in scored if row["score"] >= SIMILARITY_THRESHOLD]
    return sorted(found, key=lambda row: (-row["score"], row["id"]))[:limit]


async def analytics(round_id: int) -> dict[str, Counter]:
    """Ideas of a round by category and by region, hidden ones included (the console's charts)."""
    rows = await Idea.select(Idea.category, Idea.region).where(Idea.round == round_id)
    return {"category": Counter(row["category"] for row in rows), "region": Counter(row["region"] for row in rows)}
