"""The resident site's pages of ideas: a round's ideas, proposing one, one idea with its photos, my ideas.

Thin handlers, as in pages.py: they read a form or a query, call ideas.proposals (which decides who may
propose and support, and when), and render or redirect. Every form posts and redirects, so proposing and
supporting work without JavaScript.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from budgets.records import RoundRecord
from budgets.rounds import effective_status, get_round
from core.clock import database_now
from core.regions import all_regions, contains, region_path
from core.residents import ResidentRecord
from ideas import proposals
from ideas.rules import CATEGORIES, IDEAS_PER_RESIDENT, PHOTOS_PER_IDEA, check_proposal
from ideas.schemas import Latitude, Longitude, photo_url
from infra.errors import Conflict, DomainError, FieldError, NotAllowed, NotFound, RuleBroken, TooManyRequests
from infra.http import Money, PathId
from infra.i18n import N_
from infra.images import MAX_REQUEST_BYTES
from infra.problems import status_of
from infra.settings import Settings
from infra.storage import FileStorage
from mobile_api.site.deps import Visitor, safe_next
from mobile_api.site.errors import FIELD_MESSAGES, TITLES, explain
from mobile_api.site.forms import NO_STORE, Form, form_data, refused
from mobile_api.site.i18n import IDEA_CATEGORIES, IDEA_STATUSES, Formats

# The words for the refusals of ideas; errors.explain's defaults speak of voting.
IDEA_REFUSALS = {
    TooManyRequests: N_("You have proposed 5 ideas in this round, the most one person may: support others' "
                        "ideas instead."),
    Conflict: N_("Not possible now: ideas are proposed and supported only while the round's ideas phase lasts, "
                 "and a rejected or merged idea takes no more supports."),
    NotAllowed: N_("You cannot take part in this round's ideas: they are for registered residents of its "
                   "district who are old enough."),
}
PROPOSAL_FIELDS = ("title", "text", "category", "region", "lat", "lon", "estimated_cost")
FILTERS = ("sort", "category", "region")
# Each number of the proposal form: how it is read, the API's type for it, and the field its refusal names.
NUMBERS = {"lat": (float, Latitude, "location"), "lon": (float, Longitude, "location"),
           "estimated_cost": (int, Money, "estimated_cost")}


def _ideas_page(visitor: Visitor, template: str, status_code: int = 200, **context: Any) -> Template:
    return visitor.page(template, status_code, headers=NO_STORE if visitor.signed_in else None,
                        categories=IDEA_CATEGORIES, statuses=IDEA_STATUSES, supportable=proposals.SUPPORTABLE,
                        **context)


def _refusal_page(visitor: Visitor, exc: DomainError) -> Template:
    message, _ = explain(exc, IDEA_REFUSALS)
    status = status_of(exc)
    return visitor.page("error.html.jinja", status, headers=NO_STORE, status=status,
                        title=TITLES.get(status, TITLES[422]), detail=message)


def _registered_first(visitor: Visitor, target: str) -> Redirect | None:
    """Sign-in, then the residency form, before a resident may propose or support; None once they are done."""
    if not visitor.signed_in:
        return visitor.redirect(f"/signin?next={quote(target, safe='/')}")
    if not visitor.registered:
        return visitor.redirect(f"/signin/residency?next={quote(target, safe='/')}")
    return None


async def _round_regions(round_: RoundRecord) -> dict[str, dict[str, Any]]:
    """The round's region and the regions inside it (where its ideas may be), by KATO code, parents first."""
    path = await region_path(round_.region)
    return {row["kato"]: row for row in await all_regions() if contains(path, row["path"])}


def _choices(visitor: Visitor, regions: dict[str, dict[str, Any]], anything: str) -> dict[str, list[tuple[str, str]]]:
    """The options of the category and region selects, in the visitor's language; `anything` heads both."""
    fmt = Formats(visitor.language)
    first = visitor._(anything)
    return {
        "category": [("", first)] + [(code, visitor._(IDEA_CATEGORIES[code])) for code in CATEGORIES],
        # The round's own region first, the regions inside it marked as such.
        "region": [("", first)] + [(kato, ("· " if index else "") + fmt.text(row["name"]))
                                   for index, (kato, row) in enumerate(regions.items())],
    }


async def _taking_part(visitor: Visitor, settings: Settings, round_: RoundRecord
                       ) -> tuple[str, ResidentRecord | None]:
    """The round's status, and the visitor if they may propose and support in it (the domain's rule)."""
    status = effective_status(round_, await database_now())
    if not visitor.registered or visitor.resident is None:
        return status, None
    try:
        await proposals.participant(settings.secret_key, visitor.resident, round_)
    except NotAllowed:
        return status, None
    return status, visitor.resident


async def _supported(settings: Settings, resident: ResidentRecord | None, round_id: int) -> set[int]:
    return await proposals.supported_by(settings.secret_key, resident, round_id) if resident else set()


def _number(values: dict[str, str], name: str) -> int | float | None:
    """A number typed in the form, None when left empty, within the bounds of the API's body (a 20-digit cost
    would otherwise reach the database); whether it is a good one is the domain's to say."""
    parse, bounded, field = NUMBERS[name]
    typed = values[name].replace(" ", "").replace(",", ".")
    if not typed:
        return None
    try:
        return msgspec.convert(parse(typed), bounded)
    except (ValueError, msgspec.ValidationError):
        raise RuleBroken(f"{name} is not a number it may be.", [FieldError(field, "not a number")]) from None


async def _upload(data: Any, name: str) -> bytes:
    upload = data.get(name)
    return await upload.read() if isinstance(upload, UploadFile) and upload.filename else b""


class RoundIdeasPages(Controller):
    path = "/rounds/{round_id:int}/ideas"
    include_in_schema = False

    @get("/")
    async def ideas(self, round_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                    settings: NamedDependency[Settings]) -> Template:
        round_ = await get_round(round_id)
        chosen = {name: (request.query_params.get(name) or "").strip()[:32] for name in FILTERS}
        chosen["sort"] = chosen["sort"] or "supports"
        rows, next_cursor = await proposals.list_ideas(
            round_id, chosen["sort"], chosen["category"] or None, chosen["region"] or None,
            request.query_params.get("cursor") or None)
        status, resident = await _taking_part(visitor, settings, round_)
        shown = {name: value for name, value in chosen.items() if value}
        back = f"{request.url.path}?{urlencode(shown)}"
        more = f"{request.url.path}?{urlencode({**shown, 'cursor': next_cursor})}" if next_cursor else None
        regions = await _round_regions(round_)
        return _ideas_page(visitor, "ideas.html.jinja", round=round_, ideas=rows, status=status,
                           regions=regions, choices=_choices(visitor, regions, N_("All")), filters=Form(chosen),
                           more=more, back=back,
                           can_support=status == "ideas" and resident is not None,
                           supported=await _supported(settings, resident, round_id))

    @get("/new")
    async def new(self, round_id: PathId, visitor: NamedDependency[Visitor],
                  settings: NamedDependency[Settings]) -> Template | Redirect:
        if first := _registered_first(visitor, f"/rounds/{round_id}/ideas/new"):
            return first
        round_ = await get_round(round_id)
        assert visitor.resident is not None
        form = Form({"region": visitor.resident.region or ""})
        # Said before the resident writes anything, by the rules propose applies.
        status, resident = await _taking_part(visitor, settings, round_)
        if status != "ideas":
            form.message = IDEA_REFUSALS[Conflict]
            return await _proposal_page(visitor, round_, form, 409)
        if resident is None:
            form.message = IDEA_REFUSALS[NotAllowed]
            return await _proposal_page(visitor, round_, form, 403)
        return await _proposal_page(visitor, round_, form)

    @post("/new", request_max_body_size=MAX_REQUEST_BYTES)
    async def propose(self, round_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                      settings: NamedDependency[Settings], storage: NamedDependency[FileStorage]
                      ) -> Template | Redirect:
        if first := _registered_first(visitor, f"/rounds/{round_id}/ideas/new"):
            return first
        assert visitor.resident is not None
        round_ = await get_round(round_id)
        data = await form_data(request)
        form = Form({name: (data.get(name) or "").strip() for name in PROPOSAL_FIELDS})
        values = form.values
        try:
            proposal = check_proposal(values["title"], values["text"], values["category"], None,
                                      _number(values, "lat"), _number(values, "lon"),
                                      _number(values, "estimated_cost"))
            idea = await proposals.propose(settings.secret_key, visitor.resident, round_id, proposal,
                                           values["region"] or None)
        except DomainError as exc:
            page = await _proposal_page(visitor, round_, refused(form, exc, IDEA_REFUSALS), status_of(exc))
            if isinstance(exc, TooManyRequests):
                page.headers["Retry-After"] = str(exc.retry_after)
            return page
        content = await _upload(data, "photo")
        if content:
            try:
                await proposals.add_photo(storage, visitor.resident, idea["id"], content)
            except RuleBroken:
                # The idea is kept; its page says the photo was not taken and offers to send another.
                return visitor.redirect(f"/ideas/{idea['id']}?photo=refused")
        return visitor.redirect(f"/ideas/{idea['id']}")


async def _proposal_page(visitor: Visitor, round_: RoundRecord, form: Form, status_code: int = 200
                         ) -> Template:
    # A refusal that is not about what was typed (a closed phase, not eligible, no ideas left) leaves nothing
    # to correct: the form is not offered again.
    open_form = status_code not in (403, 409, 429)
    regions = await _round_regions(round_)
    return _ideas_page(visitor, "idea_new.html.jinja", status_code, round=round_, form=form, open=open_form,
                       choices=_choices(visitor, regions, N_("Choose…")), most=IDEAS_PER_RESIDENT)


class IdeaPages(Controller):
    path = "/ideas/{idea_id:int}"
    include_in_schema = False

    @get("/")
    async def idea(self, idea_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                   settings: NamedDependency[Settings]) -> Template:
        refused_photo = request.query_params.get("photo") == "refused"
        return await _idea_page(visitor, settings, idea_id, FIELD_MESSAGES["file"] if refused_photo else "")

    @post("/support")
    async def support(self, idea_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                      settings: NamedDependency[Settings]) -> Template | Redirect:
        return await _change_support(proposals.support, idea_id, visitor, request, settings)

    @post("/withdraw")
    async def withdraw(self, idea_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                       settings: NamedDependency[Settings]) -> Template | Redirect:
        return await _change_support(proposals.withdraw, idea_id, visitor, request, settings)

    @post("/photos", request_max_body_size=MAX_REQUEST_BYTES)
    async def add_photo(self, idea_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                        settings: NamedDependency[Settings], storage: NamedDependency[FileStorage]
                        ) -> Template | Redirect:
        if first := _registered_first(visitor, f"/ideas/{idea_id}"):
            return first
        assert visitor.resident is not None
        try:
            await proposals.add_photo(storage, visitor.resident, idea_id, await _upload(await form_data(request),
                                                                                       "photo"))
        except RuleBroken as exc:
            message, _ = explain(exc)
            return await _idea_page(visitor, settings, idea_id, message, status_of(exc))
        except DomainError as exc:
            return _refusal_page(visitor, exc)
        return visitor.redirect(f"/ideas/{idea_id}")


async def _change_support(change: Callable[[str, ResidentRecord, int], Awaitable[int]], idea_id: int,
                          visitor: Visitor, request: Request, settings: Settings) -> Template | Redirect:
    data = await form_data(request)
    back = safe_next(data.get("back") or f"/ideas/{idea_id}")
    if first := _registered_first(visitor, back):
        return first
    assert visitor.resident is not None
    try:
        await change(settings.secret_key, visitor.resident, idea_id)
    except DomainError as exc:
        return _refusal_page(visitor, exc)
    return visitor.redirect(back)


async def _idea_page(visitor: Visitor, settings: Settings, idea_id: int, photo_error: str = "",
                     status_code: int = 200) -> Template:
    idea = await proposals.get_idea(idea_id)
    round_ = await get_round(idea["round"])
    status, resident = await _taking_part(visitor, settings, round_)
    photos = (await proposals.photos_of([idea_id])).get(idea_id, [])
    merged = None
    if idea["merged_into"]:
        try:
            merged = await proposals.get_idea(idea["merged_into"])
        except NotFound:
            merged = None  # merged into an idea hidden since: nothing to show of it
    author = visitor.resident is not None and visitor.resident.id == idea["author"]
    return _ideas_page(visitor, "idea.html.jinja", status_code, idea=idea, round=round_, status=status,
                       regions=await _round_regions(round_), merged=merged,
                       photos=[photo_url(idea_id, photo_id) for photo_id in photos],
                       can_support=status == "ideas" and resident is not None
                       and idea["status"] in proposals.SUPPORTABLE,
                       supported=idea_id in await _supported(settings, resident, round_.id),
                       can_add_photo=author and idea["status"] == "submitted" and len(photos) < PHOTOS_PER_IDEA,
                       photo_error=photo_error, back=f"/ideas/{idea_id}")


class MyIdeasPage(Controller):
    include_in_schema = False

    @get("/me/ideas")
    async def mine(self, visitor: NamedDependency[Visitor]) -> Template | Redirect:
        if visitor.resident is None:
            return visitor.redirect("/signin?next=/me/ideas")
        rows = await proposals.my_ideas(visitor.resident.id)
        rounds = {round_id: await get_round(round_id) for round_id in {row["round"] for row in rows}}
        regions = {row["kato"]: row for row in await all_regions()}
        return _ideas_page(visitor, "my_ideas.html.jinja", ideas=rows, rounds=rounds, regions=regions)
