"""Rounds in the console: the dashboard, the round editor, closing, results, publishing and downloads."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from admin import exports
from admin.console.deps import Console
from admin.console.forms import Form
from admin.console.round_form import FIELDS, METHODS, changes_of, new_round_values, read_draft, values_of
from admin.staff import READ_ROLES, REVIEW_ROLES, require_scope, scope_path
from admin.turnout import voters_by_round
from budgets import closing, integrity, rounds
from budgets.records import RoundRecord
from budgets.rules import RULES
from core.clock import database_now
from core.regions import all_regions, contains, region_paths
from infra.errors import DomainError, NotFound


async def regions_in_scope(console: Console) -> list[dict]:
    mine = await scope_path(console.member)
    return [r for r in await all_regions() if contains(mine, r["path"])]


async def region_options(console: Console) -> list[tuple[str, str]]:
    """The regions of my scope by name; a name that two of them share (a district of the same name in two
    oblasts) is told apart by its parent's."""
    fmt = console.fmt
    regions = await regions_in_scope(console)
    names = Counter(fmt.region(r["kato"]) for r in regions)
    return [(r["kato"], fmt.region(r["kato"]) if names[fmt.region(r["kato"])] == 1
             else f"{fmt.region(r['kato'])} · {fmt.region(r['parent'])}") for r in regions]


async def rounds_in_scope(console: Console) -> list[RoundRecord]:
    mine = await scope_path(console.member)
    rows = await rounds.list_rounds(None, None)
    paths = await region_paths({r.region for r in rows})
    return [r for r in rows if contains(mine, paths[r.region])]


class RoundPages(Controller):
    path = "/console"
    include_in_schema = False

    @get("/")
    async def dashboard(self, console: NamedDependency[Console]) -> Template:
        rows = list(reversed(await rounds_in_scope(console)))
        now = await database_now()
        voters = await voters_by_round([r.id for r in rows])
        items = [{"round": r, "status": rounds.effective_status(r, now), "voters": voters.get(r.id, 0)}
                 for r in rows]
        return console.page("dashboard.html.jinja", items=items)

    @get("/live")
    async def live(self, console: NamedDependency[Console]) -> dict[str, int]:
        """Voters so far in each round of the dashboard, which refreshes itself with this."""
        rows = await rounds_in_scope(console)
        voters = await voters_by_round([r.id for r in rows])
        return {str(r.id): voters.get(r.id, 0) for r in rows}

    @get("/rounds/new")
    async def new_round(self, console: NamedDependency[Console]) -> Template:
        await require_scope(console.member, console.member["region"])
        return await self._editor(console, Form(new_round_values(console.member["region"]), FIELDS), None)

    @post("/rounds/new")
    async def create_round(self, console: NamedDependency[Console], data: URLEncodedBody[dict[str, Any]]
                           ) -> Template | Redirect:
        form = Form.of(data, FIELDS)
        region = form.text("region")
        await require_scope(console.member, region)
        draft = read_draft(form, region)
        if draft is not None:
            try:
                # The same checks that creating runs, so that every broken rule is shown at once.
                rounds.check_round(draft, await database_now())
                if not form.errors:
                    round_ = await rounds.create_round(console.actor, draft)
                    return Redirect(f"/console/rounds/{round_.id}", status_code=303)
            except DomainError as exc:
                form.refuse(exc)
        return await self._editor(console, form, None, 422)

    @get("/rounds/{round_id:int}")
    async def round_page(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Template:
        round_ = await console.round(round_id, READ_ROLES)
        now = await database_now()
        voters = (await voters_by_round([round_id])).get(round_id, 0)
        may_review = console.may(REVIEW_ROLES)
        return console.page("round.html.jinja", round=round_, status=rounds.effective_status(round_, now),
                            projects=await rounds.projects_of(round_id), voters=voters, may_review=may_review,
                            anomalies=await integrity.count_anomalies(round_id) if may_review else 0)

    @get("/rounds/{round_id:int}/edit")
    async def edit_round(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Template:
        round_ = await console.round(round_id)
        return await self._editor(console, Form(values_of(round_), FIELDS), round_)

    @post("/rounds/{round_id:int}/edit")
    async def update_round(self, console: NamedDependency[Console], round_id: FromPath[int],
                           data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        round_ = await console.round(round_id)
        form = Form.of(data, FIELDS)
        draft = read_draft(form, round_.region)
        if draft is not None and not form.errors:
            try:
                changes = changes_of(form, draft, round_)
                if changes:
                    await rounds.update_round(console.actor, round_id, changes)
                return Redirect(f"/console/rounds/{round_id}", status_code=303)
            except DomainError as exc:
                form.refuse(exc)
        form.values["region"] = round_.region
        return await self._editor(console, form, round_, 422)

    async def _editor(self, console: Console, form: Form, round_: RoundRecord | None,
                      status_code: int = 200) -> Template:
        return console.page("round_edit.html.jinja", status_code, form=form, round=round_,
                            region_options=await region_options(console),
                            rule_options=[(rule, console.fmt.rule(rule)) for rule in RULES],
                            method_options=[(method, console._(method)) for method in METHODS])

    @get("/rounds/{round_id:int}/close")
    async def confirm_close(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Template:
        round_ = await console.round(round_id)
        return console.page("confirm.html.jinja", round=round_, action="close")

    @post("/rounds/{round_id:int}/close")
    async def close(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Redirect:
        await console.round(round_id)
        await closing.close_now(console.actor, round_id)
        return Redirect(f"/console/rounds/{round_id}/results", status_code=303)

    @get("/rounds/{round_id:int}/results")
    async def results(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Template:
        round_ = await console.round(round_id, READ_ROLES)
        now = await database_now()
        status = rounds.effective_status(round_, now)
        projects = {p.id: p for p in await rounds.projects_of(round_id)}
        try:
            results = await closing.results_of(round_id)
        except DomainError:
            results = None
        return console.page("results.html.jinja", round=round_, status=status, results=results, projects=projects)

    @get("/rounds/{round_id:int}/publish")
    async def confirm_publish(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Template:
        round_ = await console.round(round_id)
        return console.page("confirm.html.jinja", round=round_, action="publish")

    @post("/rounds/{round_id:int}/publish")
    async def publish(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Redirect:
        await console.round(round_id)
        await closing.publish(console.actor, round_id)
        return Redirect(f"/console/rounds/{round_id}/results", status_code=303)

    @get("/rounds/{round_id:int}/results.csv")
    async def results_csv(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Response[str]:
        await console.round(round_id, READ_ROLES)
        body = exports.results_csv(await closing.results_of(round_id), await rounds.projects_of(round_id),
                                   console.language)
        return _download(body, "text/csv; charset=utf-8", f"dauys-round-{round_id}-results.csv")

    @get("/rounds/{round_id:int}/results.json")
    async def results_json(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Response[str]:
        await console.round(round_id, READ_ROLES)
        body = exports.results_json(await closing.results_of(round_id))
        return _download(body, "application/json", f"dauys-round-{round_id}-results.json")

    @get("/rounds/{round_id:int}/results.pb")
    async def results_pb(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Response[str]:
        await console.round(round_id, READ_ROLES)
        await closing.results_of(round_id)  # the same refusal as the results: not before counting
        body = await exports.results_pabulib(round_id)
        if body is None:
            raise NotFound("Round {round} has no counted ballots yet.", round=round_id)
        return _download(body, "text/plain; charset=utf-8", f"dauys-round-{round_id}.pb")


def _download(body: str, media_type: str, filename: str) -> Response[str]:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


