"""Initiatives on the resident site: those near me, one with its progress and answer and a sign button, and the
form that starts one. The same services as the API (initiatives); every form posts and redirects."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from core.clock import database_now
from core.regions import all_regions, region_path
from infra.errors import DomainError
from infra.http import PathId
from infra.i18n import N_
from infra.problems import status_of
from infra.ratelimit import RateLimiter
from infra.settings import Settings
from initiatives import petitions, reading, rules, signing
from mobile_api.initiative_routes import limit_filing, limit_signing, signature_source
from mobile_api.site.deps import Visitor
from mobile_api.site.forms import NO_STORE, Form, form_data, refused
from mobile_api.site.initiative_words import ANSWERS, STATUSES
from mobile_api.site.notify_pages import following

# The limits as a resident reads them, beside the field (the domain's words are English and technical).
FIELD_MESSAGES = {
    "title": N_("The title has 3 to 120 characters."),
    "text": N_("The text has 10 to 2,000 characters."),
}


def _explained(form: Form, exc: DomainError, language: str) -> Form:
    shown = refused(form, exc, language=language)
    shown.errors.update({name: message for name, message in FIELD_MESSAGES.items() if name in shown.errors})
    return shown


class InitiativePages(Controller):
    path = "/initiatives"
    include_in_schema = False

    @get("/")
    async def initiatives(self, visitor: NamedDependency[Visitor]) -> Template:
        region = visitor.resident.region if visitor.registered and visitor.resident else None
        now = await database_now()
        rows = await reading.page_of(now, region=region, limit=50)
        return visitor.page("initiatives.html.jinja", items=await reading.shaped(rows, visitor.language, now),
                            region=region, statuses=STATUSES)

    @get("/new")
    async def new(self, visitor: NamedDependency[Visitor]) -> Template | Redirect:
        if not visitor.registered or visitor.resident is None:
            return visitor.redirect("/signin?next=/initiatives/new")
        return visitor.page("initiative_new.html.jinja", headers=NO_STORE,
                            form=Form({"region": visitor.resident.region or ""}), **await _regions(visitor))

    @post("/new")
    async def file(self, visitor: NamedDependency[Visitor], request: Request,
                   limiter: NamedDependency[RateLimiter]) -> Template | Redirect:
        if not visitor.registered or visitor.resident is None:
            return visitor.redirect("/signin?next=/initiatives/new")
        data = await form_data(request)
        form = Form({name: (data.get(name) or "") for name in ("region", "title", "text")})
        try:
            await limit_filing(limiter, visitor.resident.id)
            row = await petitions.file_initiative(visitor.resident, form.values["region"], form.values["title"],
                                                  form.values["text"], visitor.language)
        except DomainError as exc:
            return visitor.page("initiative_new.html.jinja", status_of(exc), headers=NO_STORE,
                                form=_explained(form, exc, visitor.language), **await _regions(visitor))
        return visitor.redirect(f"/initiatives/{row['id']}")

    @get("/{initiative_id:int}")
    async def initiative(self, initiative_id: PathId, visitor: NamedDependency[Visitor],
                         request: Request) -> Template:
        return await _page(visitor, initiative_id, signed_now=request.query_params.get("signed") == "1")

    @post("/{initiative_id:int}/signature")
    async def sign(self, initiative_id: PathId, visitor: NamedDependency[Visitor], settings: NamedDependency[Settings],
                   limiter: NamedDependency[RateLimiter]) -> Template | Redirect:
        if not visitor.registered or visitor.resident is None:
            return visitor.redirect(f"/signin?next=/initiatives/{initiative_id}")
        try:
            await limit_signing(limiter, visitor.resident.id, visitor.client)
            await reading.visible(initiative_id, reading.Viewer(resident=visitor.resident.id))
            await signing.sign(initiative_id, visitor.resident, signature_source(settings, visitor.client))
        except DomainError as exc:
            return await _page(visitor, initiative_id, error=refused(Form(), exc, language=visitor.language).message,
                               status_code=status_of(exc))
        return visitor.redirect(f"/initiatives/{initiative_id}?signed=1")


async def _regions(visitor: Visitor) -> dict:
    """The regions a resident may address: their own and those above it (whose akimats they live under)."""
    mine = (await region_path(visitor.resident.region)).strip("/").split("/")
    return {"regions": [r for r in await all_regions() if r["kato"] in mine]}


async def _page(visitor: Visitor, initiative_id: int, error: str = "", status_code: int = 200,
                signed_now: bool = False) -> Template:
    resident = visitor.resident if visitor.registered else None
    row = await reading.visible(initiative_id, reading.Viewer(resident=resident.id if resident else None))
    item = await reading.shaped_one(row, visitor.language)
    signed = bool(resident) and await signing.has_signed(initiative_id, resident)
    return visitor.page("initiative.html.jinja", status_code, headers=NO_STORE if visitor.signed_in else None,
                        item=item, signed=signed, signed_now=signed_now, error=error, statuses=STATUSES,
                        answers=ANSWERS, following=await following(visitor, "initiative", initiative_id),
                        may_sign=item.status in rules.SIGNING_STATUSES and not signed,
                        progress=min(100, item.signatures * 100 // item.threshold) if item.threshold else 0)
