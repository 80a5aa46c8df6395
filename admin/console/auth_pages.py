"""Signing in and out of the console, the account's language, and two-factor sign-in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from admin import totp
from admin.console.deps import Console, render, request_language
from admin.console.forms import Form
from admin.console.i18n import LANGUAGES
from admin.console.qr import qr_svg
from admin.sessions import COOKIE, close_session, open_session, update_session
from admin.signin import TWO_FACTOR_ROLES, sign_in
from admin.staff import revoke_sign_ins, set_language, set_totp_secret
from infra.errors import NotAuthenticated, TooManyRequests
from infra.http import request_address
from infra.i18n import N_
from infra.settings import Settings
from infra.stores import Store


def _cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(key=COOKIE, value=value, path="/console", httponly=True, samesite="lax",
                  secure=settings.env == "prod", max_age=max_age)


def _chosen(request: Request) -> str | None:
    """The language a person picked with the sign-in page's links (not the browser's guess)."""
    chosen = request.query_params.get("lang")
    return chosen if chosen in LANGUAGES else None


def _safe_next(target: str | None) -> str:
    # Only a path inside the console: never an address elsewhere (an open redirect).
    return target if target and target.startswith("/console") and not target.startswith("//") else "/console"


class SignInController(Controller):
    path = "/console"
    include_in_schema = False

    @get("/sign-in")
    async def sign_in_page(self, request: Request) -> Template:
        language = request_language(request)
        return render(language, "sign_in.html.jinja", form=Form({}), next=_safe_next(request.query_params.get("next")),
                      chosen=_chosen(request))

    @post("/sign-in")
    async def sign_in(self, request: Request, data: URLEncodedBody[dict[str, Any]], store: NamedDependency[Store],
                      settings: NamedDependency[Settings]) -> Template | Redirect:
        language = request_language(request)
        form = Form.of(data, ("email", "password", "code"))
        target = _safe_next(form.text("next"))
        try:
            signed_in = await sign_in(store, settings, form.text("email"), form.values.get("password", ""),
                                      form.text("code"), request_address(request) or "unknown")
        except TooManyRequests as exc:
            form.message = N_("Too many failed sign-ins: wait a few minutes and try again.")
            page = render(language, "sign_in.html.jinja", 429, form=form, next=target, chosen=_chosen(request))
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        except NotAuthenticated as exc:
            if exc.errors:
                needed = exc.errors[0].message == "needed"
                form.errors["code"] = (N_("Enter the 6-digit code from your authenticator app.") if needed
                                       else N_("The code is wrong or was already used."))
            else:
                form.message = N_("The e-mail or the password is wrong.")
            form.values.pop("password", None)
            return render(language, "sign_in.html.jinja", 401, form=form, next=target, ask_code=bool(exc.errors),
                          chosen=_chosen(request))
        chosen = _chosen(request)
        if chosen and chosen != signed_in.staff["language"]:
            # The language picked on the sign-in page is the account's from now on, as if set on its page.
            await set_language(signed_in.staff, chosen)
        token = await open_session(store, signed_in.staff, settings.staff_token_ttl, signed_in.must_enrol)
        response = Redirect("/console/account/two-factor" if signed_in.must_enrol else target, status_code=303)
        response.cookies.append(_cookie(settings, token, settings.staff_token_ttl))
        return response

    @post("/sign-out")
    async def sign_out(self, request: Request, store: NamedDependency[Store],
                       settings: NamedDependency[Settings]) -> Redirect:
        await close_session(store, request.cookies.get(COOKIE))
        response = Redirect("/console/sign-in", status_code=303)
        response.cookies.append(_cookie(settings, "", 0))
        return response


class AccountController(Controller):
    path = "/console/account"
    include_in_schema = False

    @get("/")
    async def account(self, console: NamedDependency[Console], settings: NamedDependency[Settings]) -> Template:
        return console.page("account.html.jinja", form=Form({"language": console.language}),
                            two_factor_required=_two_factor_required(console, settings))

    @post("/language")
    async def language(self, console: NamedDependency[Console], data: URLEncodedBody[dict[str, Any]]) -> Redirect:
        await set_language(console.member, Form.of(data).text("language"))
        return Redirect("/console/account", status_code=303)

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(self, console: NamedDependency[Console], store: NamedDependency[Store],
                                  settings: NamedDependency[Settings]) -> Redirect:
        await revoke_sign_ins(console.actor, console.member)
        response = Redirect("/console/sign-in", status_code=303)
        response.cookies.append(_cookie(settings, "", 0))
        return response

    @get("/two-factor")
    async def two_factor_page(self, console: NamedDependency[Console], store: NamedDependency[Store],
                              settings: NamedDependency[Settings]) -> Template:
        return await _two_factor_page(console, store, settings, Form({}))

    @post("/two-factor")
    async def two_factor_confirm(self, console: NamedDependency[Console], data: URLEncodedBody[dict[str, Any]],
                                 store: NamedDependency[Store], settings: NamedDependency[Settings]
                                 ) -> Template | Redirect:
        form = Form.of(data, ("code",))
        secret = console.session.get("pending_totp")
        if not secret or not await totp.accept_code(store, console.member["id"], secret, form.text("code")):
            form.errors["code"] = N_("The code is wrong or was already used.")
            return await _two_factor_page(console, store, settings, form, 422)
        await set_totp_secret(console.member, secret)
        # Sessions opened with the password alone end; this one goes on, now with two factors.
        generation = await revoke_sign_ins(console.actor, console.member)
        token = await open_session(store, {**console.member, "token_generation": generation},
                                   settings.staff_token_ttl)
        response = Redirect("/console/account", status_code=303)
        response.cookies.append(_cookie(settings, token, settings.staff_token_ttl))
        return response

    @post("/two-factor/off")
    async def two_factor_off(self, console: NamedDependency[Console], settings: NamedDependency[Settings]
                             ) -> Template | Redirect:
        if _two_factor_required(console, settings):
            return console.page("error.html.jinja", 409, status=409, title=N_("Not possible now"),
                                detail=N_("Two-factor sign-in is required for your role."))
        await set_totp_secret(console.member, None)
        return Redirect("/console/account", status_code=303)


def _two_factor_required(console: Console, settings: Settings) -> bool:
    return settings.env == "prod" and console.member["role"] in TWO_FACTOR_ROLES


async def _two_factor_page(console: Console, store: Store, settings: Settings, form: Form,
                           status_code: int = 200) -> Template:
    secret = console.session.get("pending_totp")
    if not secret:
        secret = console.session["pending_totp"] = totp.new_secret()
        await update_session(store, console.token, console.session)
    uri = totp.provisioning_uri(secret, console.member["email"])
    return console.page("two_factor.html.jinja", status_code, form=form, secret=secret, qr=qr_svg(uri),
                        enabled=bool(console.member["totp_secret"]),
                        required=_two_factor_required(console, settings))
