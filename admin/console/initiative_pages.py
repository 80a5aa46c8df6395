"""Initiatives in the console: the moderation queue, one initiative (counts, surges, the forms that decide it)
and a region's settings. The forms call the services the admin API calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from admin import ballot_proposals
from admin.console.deps import Console
from admin.console.forms import Form
from admin.staff import READ_ROLES, REVIEW_ROLES, require_scope, scope_path
from core.clock import database_now
from infra.errors import Conflict, DomainError
from infra.i18n import N_
from infra.problems import status_of
from initiatives import petitions, reading, region_settings, rules, surges

SETTINGS_FIELDS = ("initiative_threshold", "answer_days", "hearing_threshold", "ballot_threshold")
# The page holds three forms; a refused one is shown again filled, with its errors.
FORMS = {"moderate": ("decision", "reason"), "answer": ("decision", "text"), "hearing": ("hearing_at",),
         "ballot": ("round_id", "cost", "title")}
STATUS_LABELS = {"moderation": N_("moderation"), "rejected": N_("rejected"), "collecting": N_("collecting"),
                 "answer_due": N_("answer due"), "answered": N_("answered"), "expired": N_("expired")}
DECISION_LABELS = {"publish": N_("Publish: signing opens"), "reject": N_("Reject, with a public reason")}
ANSWER_LABELS = {"accepted": N_("Accepted"), "partly": N_("Partly accepted"), "declined": N_("Declined")}
SURGE_LABELS = {"surge": N_("Surge"), "device_cluster": N_("Many signers on one device"),
                "origin_cluster": N_("Many signers from one address")}
Status = Annotated[str, QueryParameter(enum=list(rules.STATUSES))]


async def _in_scope(console: Console, initiative_id: int, roles: tuple[str, ...] = REVIEW_ROLES) -> dict:
    row = await petitions.get_row(initiative_id)
    await require_scope(console.member, row["region"], roles, target=f"initiative:{initiative_id}")
    return row


class InitiativePages(Controller):
    path = "/console/initiatives"
    include_in_schema = False

    @get("/")
    async def queue(self, console: NamedDependency[Console], status: Status = "moderation") -> Template:
        now = await database_now()
        rows = await reading.page_of(now, status, statuses=rules.STATUSES, within=await scope_path(console.member),
                                     limit=200)
        return console.page("initiatives.html.jinja", items=await reading.shaped(rows, console.language, now),
                            status=status, statuses=STATUS_LABELS)

    @get("/{initiative_id:int}")
    async def initiative(self, console: NamedDependency[Console], initiative_id: FromPath[int]) -> Template:
        return await _page(console, await _in_scope(console, initiative_id, READ_ROLES))

    @post("/{initiative_id:int}/moderate")
    async def moderate(self, console: NamedDependency[Console], initiative_id: FromPath[int],
                       data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        return await _decide(console, initiative_id, "moderate", data, lambda form: petitions.moderate(
            console.actor, initiative_id, form.text("decision"), form.texts("reason")))

    @post("/{initiative_id:int}/answer")
    async def answer(self, console: NamedDependency[Console], initiative_id: FromPath[int],
                     data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        return await _decide(console, initiative_id, "answer", data, lambda form: petitions.answer(
            console.actor, initiative_id, form.text("decision"), form.texts("text")))

    @post("/{initiative_id:int}/hearing")
    async def hearing(self, console: NamedDependency[Console], initiative_id: FromPath[int],
                      data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        # An empty date clears the hearing.
        return await _decide(console, initiative_id, "hearing", data, lambda form: petitions.set_hearing(
            console.actor, initiative_id, form.time("hearing_at") if form.text("hearing_at") else None))


    @post("/{initiative_id:int}/ballot")
    async def ballot(self, console: NamedDependency[Console], initiative_id: FromPath[int],
                     data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        """Past its ballot threshold, the initiative as a project of a round (admins: it changes a ballot)."""
        row = await _in_scope(console, initiative_id, ("admin",))
        form = Form.of(data, FORMS["ballot"])
        round_id, cost = form.integer("round_id"), form.integer("cost")
        if form.errors:
            return await _page(console, row, {"ballot": form}, 422)
        try:
            await console.round(round_id, ("admin",))
            project_id = await ballot_proposals.put_on_ballot(console.actor, initiative_id, round_id, cost,
                                                              form.texts("title") or None)
        except DomainError as exc:
            form.refuse(exc)
            return await _page(console, row, {"ballot": form}, status_of(exc))
        await console.confirm(N_("The initiative is project %(project)s of the round's ballot."), project=project_id)
        return Redirect(f"/console/initiatives/{initiative_id}", status_code=303)


async def _decide(console: Console, initiative_id: int, action: str, data: dict[str, Any],
                  service: Callable[[Form], Awaitable[dict]]) -> Template | Redirect:
    """Run one of the page's forms: back to the page on success, the page with the form's errors otherwise."""
    row = await _in_scope(console, initiative_id)
    form = Form.of(data, FORMS[action])
    try:
        result = service(form)
        if form.errors:  # the form's own reading (a date) failed: nothing was asked of the service
            result.close()
            return await _page(console, row, {action: form}, 422)
        await result
    except DomainError as exc:
        # The errors of a text in one language ("text.ru") are shown beside the whole text.
        form.refuse(exc, {f"{name}.{lang}": name for name in ("reason", "text") for lang in ("kk", "ru", "en")})
        return await _page(console, row, {action: form}, 409 if isinstance(exc, Conflict) else 422)
    await console.confirm(N_("Initiative %(number)s is saved."), number=initiative_id)
    return Redirect(f"/console/initiatives/{initiative_id}", status_code=303)


async def _page(console: Console, row: dict, forms: dict[str, Form] | None = None, status_code: int = 200) -> Template:
    now = await database_now()
    shown = (await reading.shaped([row], console.language, now))[0]
    blank = {action: Form({}, fields) for action, fields in FORMS.items()}
    fmt = console.fmt
    placeable = shown.proposed_for_ballot and shown.project_id is None and console.is_admin
    rounds = [(str(r.id), fmt.text(r.title)) for r in await ballot_proposals.ballot_rounds(row)] \
        if placeable else []
    return console.page("initiative.html.jinja", status_code, row=row, item=shown, forms={**blank, **(forms or {})},
                        statuses=STATUS_LABELS, decisions=DECISION_LABELS, answers=ANSWER_LABELS,
                        flags=await surges.flags_of(row["id"]), surge_labels=SURGE_LABELS,
                        may_decide=console.may(REVIEW_ROLES), placeable=placeable, ballot_rounds=rounds)


class RegionSettingsPages(Controller):
    path = "/console/regions/{kato:str}/initiative-settings"
    include_in_schema = False

    @get("/")
    async def settings(self, console: NamedDependency[Console], kato: FromPath[str]) -> Template:
        await require_scope(console.member, kato, READ_ROLES)
        found = await region_settings.resolved(kato)
        values = {name: "" if getattr(found.set, name) is None else str(getattr(found.set, name))
                  for name in SETTINGS_FIELDS}
        return _settings_page(console, kato, found, Form(values, SETTINGS_FIELDS))

    @post("/")
    async def save(self, console: NamedDependency[Console], kato: FromPath[str],
                   data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        await require_scope(console.member, kato)
        form = Form.of(data, SETTINGS_FIELDS)
        wanted = rules.RegionRules(form.integer("initiative_threshold", required=False),
                                   form.integer("answer_days") or 0, form.integer("hearing_threshold", required=False),
                                   form.integer("ballot_threshold", required=False))
        if not form.errors:
            try:
                await region_settings.set_rules(console.actor, kato, wanted)
            except DomainError as exc:
                form.refuse(exc)
        if form.errors or form.message:
            return _settings_page(console, kato, await region_settings.resolved(kato), form, 422)
        await console.confirm(N_("The settings of region %(kato)s are saved."), kato=console.fmt.region(kato))
        return Redirect(f"/console/regions/{kato}/initiative-settings", status_code=303)


def _settings_page(console: Console, kato: str, found: region_settings.Resolved, form: Form,
                   status_code: int = 200) -> Template:
    return console.page("initiative_settings.html.jinja", status_code, kato=kato, found=found, form=form,
                        may_change=console.is_admin)
