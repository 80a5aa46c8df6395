"""The resident site's pages: home, sign-in, a round and its ballot, my ballot, receipts, results, projects
(ideas are in idea_pages.py).

Thin handlers, as the API's: they read a form, call the same services the API calls (mobile_api.auth,
core.residency, the ballot intake, budgets), and render or redirect. Every form posts and redirects, so
reading and voting work without JavaScript.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from budgets import casting
from budgets.ballots import Choice
from budgets.closing import results_of
from budgets.rounds import effective_status, get_project, get_round, list_rounds, projects_of
from core.clock import database_now
from core.phones import check_phone
from core.regions import all_regions
from core.residency import Origin, prove_residency
from core.residents import get_resident
from infra import ratelimit, tokens
from infra.errors import DomainError, FieldError, NotAllowed, NotFound, RuleBroken
from infra.http import LANGUAGES, PathId
from infra.i18n import N_
from infra.problems import status_of
from infra.ratelimit import RateLimiter
from infra.settings import Settings
from initiatives import reading as initiatives
from mobile_api.auth import ResidentAuth
from mobile_api.intake import Ballot, BallotIntake
from mobile_api.site.deps import REFRESH_COOKIE, Visitor, safe_next
from mobile_api.site.errors import explain
from mobile_api.site.forms import NO_STORE, Form, form_data, refused
from mobile_api.site.i18n import LANGUAGE_COOKIE
from mobile_api.site.initiative_words import STATUSES as INITIATIVE_STATUSES
from mobile_api.site.notify_pages import following
from mobile_api.site.photos import ProjectPhotos
from notify.preferences import adopt_language

MAX_POINTS = 10**6
RULE_WORDS = {
    "greedy": N_("Projects are taken in order of votes, most first; a project that no longer fits the budget is "
                 "skipped and the next one is tried."),
    "greedy-no-skip": N_("Projects are taken in order of votes, most first, until the first one that does not fit "
                         "the budget."),
    "greedy-threshold": N_("Projects with at least the minimum number of votes are taken in order of votes, most "
                           "first, while they fit the budget."),
    "mes": N_("Method of Equal Shares: the budget is split equally among voters, and a project is funded when its "
              "supporters can pay for it together, so that every group of voters gets its fair share."),
    "mes-add1": N_("Method of Equal Shares: the budget is split equally among voters, and a project is funded when "
                   "its supporters can pay for it together, so that every group of voters gets its fair share."),
    "mes-add1-greedy": N_("Method of Equal Shares: the budget is split equally among voters, and a project is "
                          "funded when its supporters can pay for it together; what is left goes by votes."),
}


def _form(values: dict[str, str] | None = None) -> Form:
    return Form(values or {})


class HomePage(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, visitor: NamedDependency[Visitor]) -> Template:
        region = visitor.resident.region if visitor.registered and visitor.resident else None
        now = await database_now()
        rounds = await list_rounds(None, region)
        open_rounds = [r for r in rounds if effective_status(r, now) == "voting"]
        # Rounds taking residents' ideas now: where a resident may propose before there is anything to vote on.
        idea_rounds = [r for r in rounds if effective_status(r, now) == "ideas"]
        published = [r for r in rounds if r.status == "published"][-5:]
        near = await initiatives.page_of(now, region=region, limit=5)
        return visitor.page("home.html.jinja", rounds=open_rounds, idea_rounds=idea_rounds, published=published,
                            region=region, initiatives=await initiatives.shaped(near, visitor.language, now),
                            statuses=INITIATIVE_STATUSES)

    @get("/lang/{code:str}")
    async def language(self, code: FromPath[str], request: Request, settings: NamedDependency[Settings]) -> Redirect:
        target = safe_next(request.query_params.get("next"))
        response = Redirect(target, status_code=303)
        if code in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, path="/", samesite="lax",
                                httponly=True, secure=settings.env == "prod")
        return response


class SignInPages(Controller):
    include_in_schema = False

    @get("/signin")
    async def sign_in_page(self, visitor: NamedDependency[Visitor], request: Request) -> Template:
        return visitor.page("signin.html.jinja", headers=NO_STORE, form=_form(), step="phone",
                            next=safe_next(request.query_params.get("next")))

    @post("/signin")
    async def sign_in(self, visitor: NamedDependency[Visitor], request: Request, settings: NamedDependency[Settings],
                      limiter: NamedDependency[RateLimiter]) -> Template | Redirect:
        data = await form_data(request)
        phone, code = (data.get("phone") or "").strip(), (data.get("code") or "").strip()
        target = safe_next(data.get("next"))
        form = _form({"phone": phone})
        auth = ResidentAuth(settings, request.app.state.store, request.app.state.sms)
        client = visitor.client
        if not code and data.get("step") == "code":
            form.errors["code"] = N_("Enter the 6-digit code from the SMS.")
            return visitor.page("signin.html.jinja", 422, headers=NO_STORE, form=form, step="code", next=target)
        if not code:
            # First step: send the code (the same limits as the API's POST /api/v1/auth/otp).
            try:
                await limiter.hit((ratelimit.OTP_PER_DEVICE, client.device),
                                  (ratelimit.OTP_PER_ADDRESS, client.address))
                await auth.send_code(phone, visitor.language)
            except DomainError as exc:
                return visitor.page("signin.html.jinja", status_of(exc), headers=NO_STORE,
                                    form=refused(form, exc, language=visitor.language), step="phone", next=target)
            return visitor.page("signin.html.jinja", headers=NO_STORE, form=form, step="code", next=target)
        try:
            # The same limits as the API's POST /api/v1/auth/token, keyed on the number in its stored form.
            normalised = check_phone(phone)
            await limiter.hit((ratelimit.TOKEN_PER_PHONE, normalised), (ratelimit.TOKEN_PER_ADDRESS, client.address))
            pair = await auth.exchange_code(normalised, code)
        except DomainError as exc:
            wrong = refused(form, exc, language=visitor.language)
            if "phone" not in wrong.errors:
                wrong.errors["code"] = wrong.message
            return visitor.page("signin.html.jinja", 401 if "code" in wrong.errors else 422, headers=NO_STORE,
                                form=wrong, step="code", next=target)
        visitor.sign_in(pair)
        resident = await get_resident(tokens.verify(settings.secret_key, tokens.RESIDENT,
                                                    f"Bearer {pair.access_token}").id)
        # The language the site is read in becomes the notifications' language, until the resident chooses.
        await adopt_language(resident.id, visitor.language)
        if resident.iin_hash is None:
            return visitor.redirect(f"/signin/residency?next={quote(target, safe='/')}")
        return visitor.redirect(target)

    @get("/signin/residency")
    async def residency_page(self, visitor: NamedDependency[Visitor], request: Request) -> Template | Redirect:
        if not visitor.signed_in:
            return visitor.redirect("/signin")
        return await _residency(visitor, _form({"region": (visitor.resident.region if visitor.resident else "")
                                                or ""}), safe_next(request.query_params.get("next")))

    @post("/signin/residency")
    async def residency(self, visitor: NamedDependency[Visitor], request: Request,
                        settings: NamedDependency[Settings]) -> Template | Redirect:
        if not visitor.signed_in or visitor.resident is None:
            return visitor.redirect("/signin")
        data = await form_data(request)
        iin, region = (data.get("iin") or "").strip(), (data.get("region") or "").strip()
        target = safe_next(data.get("next"))
        form = _form({"iin": iin, "region": region})
        client = visitor.client
        origin = Origin(address=casting.source_hash(settings.secret_key, "address", client.address),
                        device=casting.source_hash(settings.secret_key, "device", client.device))
        try:
            if not (iin.isdigit() and len(iin) == 12):
                raise RuleBroken("The IIN has 12 digits.", [FieldError("iin", "12 digits")])
            await prove_residency(settings, visitor.resident.id, iin, region, origin)
        except DomainError as exc:
            return await _residency(visitor, refused(form, exc, language=visitor.language), target, status_of(exc))
        return visitor.redirect(target)

    @post("/signout")
    async def sign_out(self, visitor: NamedDependency[Visitor], request: Request,
                       settings: NamedDependency[Settings]) -> Redirect:
        refresh = request.cookies.get(REFRESH_COOKIE)
        if refresh and len(refresh) <= 200:
            # The cookies go, and so does the sign-in behind them: a copied refresh token renews nothing.
            await ResidentAuth(settings, request.app.state.store, request.app.state.sms).end_sign_in(refresh)
        visitor.sign_out()
        return visitor.redirect("/")


async def _residency(visitor: Visitor, form: Form, target: str, status_code: int = 200) -> Template:
    regions = await all_regions()
    return visitor.page("residency.html.jinja", status_code, headers=NO_STORE, form=form, next=target,
                        regions=regions)


class RoundPages(Controller):
    path = "/rounds"
    include_in_schema = False

    @get("/{round_id:int}")
    async def round(self, round_id: PathId, visitor: NamedDependency[Visitor],
                    settings: NamedDependency[Settings], photos: NamedDependency[ProjectPhotos]) -> Template:
        return await _round_page(visitor, settings, photos, round_id)

    @post("/{round_id:int}/ballot")
    async def vote(self, round_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                   settings: NamedDependency[Settings], photos: NamedDependency[ProjectPhotos]
                   ) -> Template | Redirect:
        if not visitor.registered or visitor.resident is None:
            return visitor.redirect(f"/signin?next=/rounds/{round_id}")
        round_ = await get_round(round_id)
        data = await form_data(request)
        chosen = data.getall("project", [])
        try:
            choices = _choices(round_.vote.method, chosen, data.getall("points_for", []))
            intake: BallotIntake = request.app.state.intake
            key = (data.get("idempotency") or "")[:64] or None
            await intake.cast(Ballot(round_id, visitor.resident.id, choices, key, visitor.client))
        except DomainError as exc:
            message, _ = explain(exc, language=visitor.language)
            return await _round_page(visitor, settings, photos, round_id, error=message,
                                     status_code=status_of(exc), picked=chosen,
                                     picked_for=data.getall("points_for", []))
        return visitor.redirect(f"/rounds/{round_id}/ballot?cast=1")

    @get("/{round_id:int}/ballot")
    async def my_ballot(self, round_id: PathId, visitor: NamedDependency[Visitor], request: Request,
                        settings: NamedDependency[Settings]) -> Template | Redirect:
        if not visitor.registered or visitor.resident is None:
            return visitor.redirect(f"/signin?next=/rounds/{round_id}/ballot")
        round_ = await get_round(round_id)
        voter = casting.voter_of(settings.secret_key, visitor.resident, round_id)
        ballot = await casting.current_ballot(round_id, voter.pseudonym)
        titles = {p.id: p for p in await projects_of(round_id)}
        status = effective_status(round_, await database_now())
        return visitor.page("ballot.html.jinja", headers=NO_STORE, round=round_, ballot=ballot, projects=titles,
                            status=status, just_cast=request.query_params.get("cast") == "1")

    @get("/{round_id:int}/results")
    async def results(self, round_id: PathId, visitor: NamedDependency[Visitor]) -> Template:
        round_ = await get_round(round_id)
        if round_.status != "published":
            return visitor.page("results.html.jinja", round=round_, results=None, rule_words="")
        results = await results_of(round_id)
        projects = {p.id: p for p in await projects_of(round_id)}
        top = max([p["votes"] for p in results["projects"]] or [0]) or 1
        return visitor.page("results.html.jinja", round=round_, results=results, projects=projects, top=top,
                            rule_words=RULE_WORDS.get(results["rule"], ""))


def _choices(method: str, chosen: list[str], points_for: list[str]) -> list[Choice]:
    """The ballot form as choices; whether they are allowed is the round's rules' to say (budgets.ballots)."""
    if method != "points":
        ids = [int(value) for value in chosen if value.isdigit() and len(value) < 10]
        if len(ids) != len(chosen):
            raise RuleBroken("Not a project.", [FieldError("choices", "not a project")])
        return [Choice(project_id) for project_id in ids]
    if len(chosen) != len(points_for):
        raise RuleBroken("The form is incomplete.", [FieldError("choices", "incomplete")])
    choices = []
    for project, points in zip(points_for, chosen, strict=True):
        if not points.strip():
            continue
        if not (points.strip().isdigit() and project.isdigit() and len(project) < 10) or int(points) > MAX_POINTS:
            raise RuleBroken("Points are whole numbers.", [FieldError("choices", "not a number")])
        if int(points) > 0:
            choices.append(Choice(int(project), int(points)))
    return choices


async def _round_page(visitor: Visitor, settings: Settings, photos: ProjectPhotos, round_id: int,
                      error: str = "", status_code: int = 200, picked: list[str] | None = None,
                      picked_for: list[str] | None = None) -> Template:
    round_ = await get_round(round_id)
    projects = await projects_of(round_id)
    status = effective_status(round_, await database_now())
    ballot = None
    eligible = True
    if visitor.registered and visitor.resident is not None:
        voter = casting.voter_of(settings.secret_key, visitor.resident, round_id)
        try:
            ballot = await casting.current_ballot(round_id, voter.pseudonym)
        except NotFound:
            ballot = None
        if status == "voting":
            # Said before the resident fills the form, by the rule casting applies (budgets.casting).
            try:
                await casting.check_eligible(round_, voter)
            except NotAllowed:
                eligible = False
    # A refused ballot comes back as it was typed, so that the resident corrects it rather than starts again.
    if picked is not None and round_.vote.method != "points":
        current = {int(v): 1 for v in picked if v.isdigit() and len(v) < 10}
    elif picked is not None and picked_for is not None and len(picked) == len(picked_for):
        current = {int(p): v for p, v in zip(picked_for, picked, strict=True) if p.isdigit() and len(p) < 10
                   and v.isdigit() and len(v) < 8}
    else:
        current = dict(ballot.choices) if ballot else {}
    with_photo = await photos.with_photo([p.id for p in projects])
    return visitor.page("round.html.jinja", status_code, headers=NO_STORE if visitor.signed_in else None,
                        round=round_, projects=projects, status=status, ballot=ballot, current=current,
                        with_photo=with_photo, error=error, idempotency=secrets.token_urlsafe(16), eligible=eligible,
                        max_cost=round_.vote.max_cost or round_.budget,
                        following=await following(visitor, "round", round_id))


class MyBallotsPage(Controller):
    include_in_schema = False

    @get("/me/ballots")
    async def mine(self, visitor: NamedDependency[Visitor], settings: NamedDependency[Settings]
                   ) -> Template | Redirect:
        if visitor.resident is None:
            return visitor.redirect("/signin?next=/me/ballots")
        ballots = await casting.ballots_of(settings.secret_key, visitor.resident)
        rounds = {round_.id: round_ for round_ in await list_rounds(None, None)}
        now = await database_now()
        return visitor.page("my_ballots.html.jinja", headers=NO_STORE, ballots=ballots, rounds=rounds,
                            statuses={round_id: effective_status(rounds[round_id], now) for round_id, _ in ballots})


class ReceiptPages(Controller):
    path = "/receipts"
    include_in_schema = False

    @get("/")
    async def check(self, visitor: NamedDependency[Visitor], request: Request) -> Template | Redirect:
        receipt = (request.query_params.get("receipt") or "").strip()
        if receipt:
            return Redirect(f"/receipts/{receipt[:64]}", status_code=303)
        return visitor.page("receipt.html.jinja", receipt="", found=None)

    @get("/{receipt:str}")
    async def receipt(self, receipt: FromPath[str], visitor: NamedDependency[Visitor]) -> Template:
        try:
            found = await casting.receipt_status(receipt[:64])
        except NotFound:
            return visitor.page("receipt.html.jinja", 404, receipt=receipt[:64], found=None)
        round_ = await get_round(found["round_id"])
        return visitor.page("receipt.html.jinja", receipt=receipt, found=found, round=round_)


class ProjectPage(Controller):
    include_in_schema = False

    @get("/projects/{project_id:int}")
    async def page(self, project_id: PathId, visitor: NamedDependency[Visitor],
                   photos: NamedDependency[ProjectPhotos]) -> Template:
        project = await get_project(project_id)
        round_ = await get_round(project.round_id)
        # Kept by the service worker for offline reading even signed in (the follow button may then be stale).
        return visitor.page("project.html.jinja", project=project, round=round_,
                            status=effective_status(round_, await database_now()),
                            has_photo=bool(await photos.with_photo([project_id])),
                            following=await following(visitor, "project", project_id))

    @get("/projects/{project_id:int}/photo")
    async def photo(self, project_id: PathId, photos: NamedDependency[ProjectPhotos]) -> Response[bytes]:
        found = await photos.photo(project_id)
        if found is None:
            raise NotFound("Project {project} has no photo.", project=project_id)
        content, content_type = found
        return Response(content, media_type=content_type, headers={"Cache-Control": "public, max-age=3600"})
