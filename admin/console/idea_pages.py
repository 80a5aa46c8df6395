"""Residents' ideas in the console: a round's queue with filters, charts and a map, one idea with its similar
ones and the decision form, and one decision with one reason for many ideas."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from markupsafe import Markup

from admin.charts import bar_chart
from admin.console.deps import Console
from admin.console.forms import Form
from admin.console.i18n import Formats
from admin.console.messages import IDEA_CATEGORIES, IDEA_DECISIONS
from admin.staff import READ_ROLES, REVIEW_ROLES
from budgets.records import RoundRecord
from budgets.rounds import effective_status
from core.clock import database_now
from ideas import proposals, review
from ideas.rules import BULK_DECISIONS, CATEGORIES, DECISIONS, STATUSES, check_bulk_decision, check_decision
from infra.errors import DomainError
from infra.i18n import N_
from infra.problems import status_of
from infra.storage import FileStorage

FIELDS = ("decision", "reason", "cost", "merge_into", "title")
BULK_FIELDS = ("decision", "reason", "idea")
Filter = Annotated[str | None, QueryParameter(max_length=32)]
MAP_WIDTH, MAP_HEIGHT = 640, 400


class IdeaPages(Controller):
    include_in_schema = False

    @get("/console/rounds/{round_id:int}/ideas")
    async def queue(self, console: NamedDependency[Console], round_id: FromPath[int], status: Filter = None,
                    category: Filter = None, region: Filter = None, cursor: Filter = None) -> Template:
        round_ = await console.round(round_id, READ_ROLES)
        return await _queue(console, round_, {"status": status, "category": category, "region": region}, cursor,
                            Form({}, BULK_FIELDS))

    @post("/console/rounds/{round_id:int}/ideas/review")
    async def review_many(self, console: NamedDependency[Console], round_id: FromPath[int], request: Request
                          ) -> Template | Redirect:
        round_ = await console.round(round_id, REVIEW_ROLES)
        data = await request.form()
        form = Form.of(dict(data), BULK_FIELDS)
        chosen = [int(v) for v in data.getall("idea", []) if v.isdigit() and len(v) < 10]
        if not chosen:
            form.errors["idea"] = N_("Tick the ideas to decide.")
            return await _queue(console, round_, {}, None, form, 422)
        try:
            decision = check_bulk_decision(form.text("decision"), form.texts("reason"))
            decided, refused = await review.decide_many(console.actor, round_id, chosen, decision)
        except DomainError as exc:
            form.refuse(exc)
            return await _queue(console, round_, {}, None, form, status_of(exc))
        await console.confirm(N_("Decided: %(decided)s; left as they were: %(refused)s."),
                              decided=len(decided), refused=len(refused))
        return Redirect(f"/console/rounds/{round_id}/ideas", status_code=303)

    @get("/console/ideas/{idea_id:int}")
    async def idea(self, console: NamedDependency[Console], idea_id: FromPath[int]) -> Template:
        idea, round_ = await _idea(console, idea_id, READ_ROLES)
        return await _idea_page(console, idea, round_, Form({"cost": str(idea["estimated_cost"] or "")}, FIELDS))

    @post("/console/ideas/{idea_id:int}/review")
    async def review(self, console: NamedDependency[Console], idea_id: FromPath[int], request: Request
                     ) -> Template | Redirect:
        idea, round_ = await _idea(console, idea_id, REVIEW_ROLES)
        form = Form.of(dict(await request.form()), FIELDS)
        cost = form.integer("cost", required=False)
        merge_into = form.integer("merge_into", required=False)
        if form.errors:
            return await _idea_page(console, idea, round_, form, 422)
        try:
            decision = check_decision(form.text("decision"), form.texts("reason"), cost, merge_into, idea_id)
            if decision.merge_into is not None:
                await _idea(console, decision.merge_into, REVIEW_ROLES)
            await review.decide(console.actor, idea_id, decision, form.texts("title") or None)
        except DomainError as exc:
            form.refuse(exc)
            return await _idea_page(console, idea, round_, form, status_of(exc))
        await console.confirm(N_("Idea %(idea)s: %(decision)s."), idea=idea_id,
                              decision=console._(IDEA_DECISIONS[decision.decision]))
        return Redirect(f"/console/ideas/{idea_id}", status_code=303)

    @get("/console/ideas/{idea_id:int}/photos/{photo_id:int}")
    async def photo(self, console: NamedDependency[Console], idea_id: FromPath[int], photo_id: FromPath[int],
                    storage: NamedDependency[FileStorage]) -> Response[bytes]:
        await _idea(console, idea_id, READ_ROLES)
        content, content_type = await proposals.photo(storage, idea_id, photo_id, staff=True)
        return Response(content, media_type=content_type,
                        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"})


async def _idea(console: Console, idea_id: int, roles: tuple[str, ...]) -> tuple[dict, RoundRecord]:
    idea = await proposals.get_idea(idea_id, staff=True)
    return idea, await console.round(idea["round"], roles)


async def _queue(console: Console, round_: RoundRecord, filters: dict[str, str | None], cursor: str | None, form: Form,
                 status_code: int = 200) -> Template:
    shown = {k: v for k, v in filters.items() if v}
    items, next_cursor = await proposals.list_ideas(round_.id, "new", shown.get("category"), shown.get("region"),
                                                    cursor, status=shown.get("status"), staff=True, limit=50)
    counts = await review.analytics(round_.id)
    fmt = console.fmt
    by_category = bar_chart([(console._(IDEA_CATEGORIES[c]), n, None) for c, n in counts["category"].most_common()],
                            console._("Ideas by category"))
    by_region = bar_chart([(fmt.region(k), n, None) for k, n in counts["region"].most_common()],
                          console._("Ideas by sub-region"))
    regions = sorted(counts["region"], key=fmt.region)
    return console.page(
        "ideas.html.jinja", status_code, round=round_, status=effective_status(round_, await database_now()),
        items=items, next_cursor=next_cursor, filters=shown, form=form, total=sum(
            counts["category"].values()), by_category=by_category, by_region=by_region,
        problem_map=idea_map(items, fmt, console._("Ideas on the map")),
        statuses=STATUSES, categories=[(c, console._(IDEA_CATEGORIES[c])) for c in CATEGORIES],
        regions=[(kato, fmt.region(kato)) for kato in regions],
        decisions=[(d, console._(IDEA_DECISIONS[d])) for d in BULK_DECISIONS],
        may_review=console.may(("admin", "moderator")))


async def _idea_page(console: Console, idea: dict, round_: RoundRecord, form: Form, status_code: int = 200) -> Template:
    photos = (await proposals.photos_of([idea["id"]])).get(idea["id"], [])
    return console.page(
        "idea.html.jinja", status_code, idea=idea, round=round_, form=form, photos=photos,
        status=effective_status(round_, await database_now()),
        similar=await review.similar(idea["id"]), category=console._(IDEA_CATEGORIES[idea["category"]]),
        decisions=[(d, console._(IDEA_DECISIONS[d])) for d in DECISIONS],
        may_review=console.may(("admin", "moderator")))


def idea_map(items: list[dict[str, Any]], fmt: Formats, title: str) -> Markup:
    """The ideas that have a place, as points on a plain SVG map of their own extent (no map tiles: the
    console works on closed networks), each a link to the idea."""
    placed = [item for item in items if item["lat"] is not None and item["lon"] is not None]
    if not placed:
        return Markup("")
    lats, lons = [i["lat"] for i in placed], [i["lon"] for i in placed]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    span_lat, span_lon = max(north - south, 0.005), max(east - west, 0.005)
    parts = [f'<svg class="chart map" role="img" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" aria-label="{escape(title)}">'
             f'<title>{escape(title)}</title><rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" class="ground"/>']
    for item in placed:
        x = 20 + (item["lon"] - west) / span_lon * (MAP_WIDTH - 40)
        y = 20 + (north - item["lat"]) / span_lat * (MAP_HEIGHT - 40)
        radius = 5 + min(item["supports"], 100) ** 0.5
        parts.append(f'<a href="/console/ideas/{item["id"]}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
                     f'class="idea {escape(item["status"])}"><title>{escape(item["title"])} · '
                     f'{fmt.number(item["supports"])}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
