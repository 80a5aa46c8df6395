"""Notifications on the resident site: my feed (mark read, older pages), my preferences (language, channels,
quiet hours), the follow button of rounds, projects and initiatives, and this browser's Web Push
subscription. The same services as the API (notify, mobile_api.notify_routes.existing_target); every form
posts and redirects, so all of it works without JavaScript except push, which needs a browser that has it.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Template

from infra.errors import DomainError, FieldError, NotAuthenticated, RuleBroken
from infra.http import MAX_ID, PathId
from infra.i18n import N_
from infra.problems import status_of
from infra.push import Subscription
from infra.settings import Settings
from mobile_api.notify_routes import existing_target
from mobile_api.schemas import PushSubscriptionIn
from mobile_api.site.deps import Visitor, safe_next
from mobile_api.site.forms import NO_STORE, Form, form_data, refused
from notify import feed, follows, subscriptions
from notify.preferences import Preferences, get_preferences, set_preferences

# The preference form's inputs for the fields the domain names, and what each refusal means for a resident.
INPUTS = {"language": "language", "quiet_hours": "quiet_from", "quiet_hours.from": "quiet_from",
          "quiet_hours.to": "quiet_to"}
FIELD_MESSAGES = {
    "language": N_("Choose Kazakh, Russian or English."),
    "quiet_from": N_("Give the start of the quiet hours as HH:MM, for example 22:00, different from their end, "
                     "or leave both times empty."),
    "quiet_to": N_("Give the end of the quiet hours as HH:MM, for example 08:00, or leave both times empty."),
}


def _preferences_form(found: Preferences) -> Form:
    return Form({"language": found.language, "sms": "on" if found.sms else "", "push": "on" if found.push else "",
                 "quiet_from": found.quiet_from or "", "quiet_to": found.quiet_to or ""})


def _explained(form: Form, exc: DomainError, language: str) -> Form:
    """The refusal beside the inputs it concerns: the domain names `quiet_hours.from`, the form `quiet_from`."""
    shown = refused(form, exc, language=language)
    shown.errors = {INPUTS.get(error.field, error.field): FIELD_MESSAGES.get(INPUTS.get(error.field, ""), "")
                    for error in exc.errors if error.field in INPUTS} or shown.errors
    shown.message = next(iter(shown.errors.values()), shown.message)
    return shown


def _site_path(settings: Settings, url: str) -> str:
    """A notification's link on this site: its path, so that it opens wherever the site is being read."""
    return url[len(settings.public_url):] or "/" if url.startswith(settings.public_url) else url


class NotificationPages(Controller):
    path = "/me"
    include_in_schema = False

    @get("/notifications")
    async def notifications(
        self, visitor: NamedDependency[Visitor], settings: NamedDependency[Settings],
        cursor: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, required=False)] = None,
    ) -> Template | Redirect:
        if visitor.resident is None:
            return visitor.redirect("/signin?next=/me/notifications")
        page = await feed.page_of(visitor.resident.id, settings.public_url, cursor, language=visitor.language)
        return visitor.page("notifications.html.jinja", headers=NO_STORE, page=page, cursor=cursor,
                            paths={item.id: _site_path(settings, item.url) for item in page.items})

    @post("/notifications/{item_id:int}/read")
    async def read_one(self, item_id: PathId, visitor: NamedDependency[Visitor], request: Request) -> Redirect:
        if visitor.resident is None:
            return visitor.redirect("/signin?next=/me/notifications")
        await feed.mark_read(visitor.resident.id, item_id)
        return visitor.redirect(safe_next((await form_data(request)).get("next") or "/me/notifications"))

    @post("/notifications/read")
    async def read_all(self, visitor: NamedDependency[Visitor]) -> Redirect:
        if visitor.resident is None:
            return visitor.redirect("/signin?next=/me/notifications")
        await feed.mark_all_read(visitor.resident.id)
        return visitor.redirect("/me/notifications")

    @get("/preferences")
    async def preferences(self, visitor: NamedDependency[Visitor], request: Request) -> Template | Redirect:
        if visitor.resident is None:
            return visitor.redirect("/signin?next=/me/preferences")
        return _preferences_page(visitor, request, _preferences_form(await get_preferences(visitor.resident.id)),
                                 saved=request.query_params.get("saved") == "1")

    @post("/preferences")
    async def set_preferences(self, visitor: NamedDependency[Visitor], request: Request) -> Template | Redirect:
        if visitor.resident is None:
            return visitor.redirect("/signin?next=/me/preferences")
        data = await form_data(request)
        form = Form({name: (data.get(name) or "").strip()[:16] for name in
                     ("language", "sms", "push", "quiet_from", "quiet_to")})
        values = form.values
        try:
            await set_preferences(visitor.resident.id, Preferences(
                values["language"], bool(values["sms"]), bool(values["push"]),
                values["quiet_from"] or None, values["quiet_to"] or None))
        except DomainError as exc:
            return _preferences_page(visitor, request, _explained(form, exc, visitor.language),
                                     status_code=status_of(exc))
        return visitor.redirect("/me/preferences?saved=1")

    @post("/push-subscriptions")
    async def subscribe_to_push(self, visitor: NamedDependency[Visitor], request: Request) -> Response[None]:
        """This browser's PushSubscription, posted by site.js with the page's CSRF token."""
        if visitor.resident is None:
            raise NotAuthenticated("Sign in to receive notifications in this browser.")
        if request.app.state.push is None:
            raise RuleBroken("Web Push is not offered here.", [FieldError("push", "not configured")])
        try:
            data = msgspec.json.decode(await request.body(), type=PushSubscriptionIn)
        except msgspec.DecodeError as exc:
            raise RuleBroken("Not a browser's push subscription.", [FieldError("push", str(exc))]) from exc
        await subscriptions.subscribe(visitor.resident.id,
                                      Subscription(data.endpoint, data.keys.p256dh, data.keys.auth))
        return Response(None, status_code=204, cookies=visitor.cookies)


def _preferences_page(visitor: Visitor, request: Request, form: Form, status_code: int = 200,
                      saved: bool = False) -> Template:
    push = request.app.state.push
    return visitor.page("preferences.html.jinja", status_code, headers=NO_STORE, form=form, saved=saved,
                        vapid_key=push.public_key if push is not None else None)


class FollowButtons(Controller):
    path = "/follows"
    include_in_schema = False

    @post("/{kind:str}/{target:str}")
    async def follow(self, kind: FromPath[str], target: FromPath[str], visitor: NamedDependency[Visitor],
                     request: Request) -> Redirect:
        data = await form_data(request)
        back = safe_next(data.get("next"))
        if visitor.resident is None:
            return visitor.redirect(f"/signin?next={quote(back, safe='/')}")
        if data.get("action") == "unfollow":
            await follows.unfollow(visitor.resident.id, kind, target)
        else:
            await follows.follow(visitor.resident.id, kind,
                                 await existing_target(kind, target, visitor.resident.id))
        return visitor.redirect(back)


async def following(visitor: Visitor, kind: str, target: int) -> bool:
    """Whether the reader follows the page's subject: which of the follow button's two faces it shows."""
    return visitor.resident is not None and await follows.is_following(visitor.resident.id, kind, str(target))
