"""A resident's notifications: the in-app feed, preferences (language, channels, quiet hours) and follows."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from budgets.rounds import get_project, get_round
from core.regions import region_path
from ideas.proposals import get_idea
from infra.errors import NotFound
from infra.http import MAX_ID, RESIDENT, RESIDENT_SECURITY, PathId
from infra.i18n import Term
from infra.problems import problems
from infra.push import Subscription, WebPushSender
from infra.settings import Settings
from infra.tokens import Principal
from initiatives.reading import Viewer, visible
from mobile_api.schemas import (
    ChannelsIn,
    FollowOut,
    NotificationOut,
    NotificationsOut,
    PreferencesIn,
    PreferencesOut,
    PushKeyOut,
    PushSubscriptionIn,
    QuietHours,
)
from notify import feed, follows, subscriptions
from notify.preferences import Preferences, get_preferences, set_preferences


def _preferences_out(found: Preferences) -> PreferencesOut:
    quiet = QuietHours(from_=found.quiet_from, to=found.quiet_to) if found.quiet_from is not None else None
    return PreferencesOut(language=found.language, channels=ChannelsIn(sms=found.sms, push=found.push),
                          quiet_hours=quiet)


async def existing_target(kind: str, target: str, resident_id: int) -> str:
    """The target's id when something of `kind` has it; NotFound otherwise (notify cannot look in domains).
    The API's follow and the site's follow button both ask it."""
    follows.check_kind(kind)
    if kind == "region":
        await region_path(target)
        return target
    if not target.isdigit() or not 1 <= int(target) <= MAX_ID:
        raise NotFound("There is no {kind} {target}.", kind=Term(kind), target=target)
    if kind == "round":
        await get_round(int(target))
    elif kind == "project":
        await get_project(int(target))
    elif kind == "idea":
        await get_idea(int(target))
    else:
        await visible(int(target), Viewer(resident=resident_id))
    return str(int(target))


class NotificationController(Controller):
    path = "/api/v1/me/notifications"
    tags = ["resident notifications"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @get("/", operation_id="listMyNotifications", summary="My notifications, newest first, in my language",
         description="Pages of 20; pass `next_cursor` of an answer as `cursor` for the older ones. Texts are in "
                     "the language of my preferences.",
         responses=problems({401: "no or bad resident token"}))
    async def notifications(
        self, resident: NamedDependency[Principal], settings: NamedDependency[Settings],
        cursor: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, required=False)] = None,
    ) -> NotificationsOut:
        page = await feed.page_of(resident.id, settings.public_url, cursor)
        return NotificationsOut(items=[NotificationOut(**item.__dict__) for item in page.items],
                                next_cursor=page.next_cursor)

    @post("/{item_id:int}/read", operation_id="markNotificationRead", status_code=204,
          summary="Mark one of my notifications read (again: nothing changes)",
          responses=problems({401: "no or bad resident token", 404: "no such notification of mine"}))
    async def read_one(self, item_id: PathId, resident: NamedDependency[Principal]) -> None:
        await feed.mark_read(resident.id, item_id)

    @post("/read", operation_id="markAllNotificationsRead", status_code=204,
          summary="Mark all my notifications read", responses=problems({401: "no or bad resident token"}))
    async def read_all(self, resident: NamedDependency[Principal]) -> None:
        await feed.mark_all_read(resident.id)


class PreferencesController(Controller):
    path = "/api/v1/me/preferences"
    tags = ["resident notifications"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @get("/", operation_id="getMyPreferences", summary="My notification preferences",
         responses=problems({401: "no or bad resident token"}))
    async def preferences(self, resident: NamedDependency[Principal]) -> PreferencesOut:
        return _preferences_out(await get_preferences(resident.id))

    @put("/", operation_id="setMyPreferences", summary="Replace my notification preferences",
         description="Quiet hours are Kazakhstan time (UTC+5) and may run past midnight: no SMS or push inside "
                     "them (sign-in codes excepted); what falls due waits for their end. Leave `quiet_hours` "
                     "out or null for none.",
         responses=problems({401: "no or bad resident token",
                             422: "unknown language, or quiet hours not HH:MM or starting when they end"}))
    async def set_preferences(self, data: JSONBody[PreferencesIn],
                              resident: NamedDependency[Principal]) -> PreferencesOut:
        quiet = data.quiet_hours
        wanted = Preferences(data.language, data.channels.sms, data.channels.push,
                             quiet.from_ if quiet else None, quiet.to if quiet else None)
        return _preferences_out(await set_preferences(resident.id, wanted))


class FollowController(Controller):
    path = "/api/v1/me/follows"
    tags = ["resident notifications"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @get("/", operation_id="listMyFollows", summary="What I follow",
         responses=problems({401: "no or bad resident token"}))
    async def follows(self, resident: NamedDependency[Principal]) -> list[FollowOut]:
        return [FollowOut(kind=row["kind"], id=row["target"]) for row in await follows.follows_of(resident.id)]

    @put("/{kind:str}/{target:str}", operation_id="followSubject", status_code=204,
         summary="Follow a project, round, initiative or region: its news reach me on my channels",
         description="Following a region includes the regions inside it. Following twice changes nothing.",
         responses=problems({401: "no or bad resident token", 404: "unknown kind, or nothing of that kind "
                                                                   "with this id"}))
    async def follow(self, kind: FromPath[str], target: FromPath[str], resident: NamedDependency[Principal]) -> None:
        await follows.follow(resident.id, kind, await existing_target(kind, target, resident.id))

    @delete("/{kind:str}/{target:str}", operation_id="unfollowSubject", status_code=204,
            summary="Stop following (not following: nothing changes)",
            responses=problems({401: "no or bad resident token", 404: "unknown kind"}))
    async def unfollow(self, kind: FromPath[str], target: FromPath[str],
                       resident: NamedDependency[Principal]) -> None:
        await follows.unfollow(resident.id, kind, target)


def _push_sender(request: Request) -> WebPushSender:
    sender = request.app.state.push
    if sender is None:
        raise NotFound("Web Push is not offered here: this server has no VAPID key (DAUYS_VAPID_PRIVATE_KEY).")
    return sender


class PushKeyController(Controller):
    path = "/api/v1/push/key"
    tags = ["resident notifications"]

    @get("/", operation_id="getPushKey", summary="The VAPID public key browsers subscribe to Web Push with",
         responses=problems({404: "Web Push is not configured on this server"}))
    async def key(self, request: Request) -> PushKeyOut:
        return PushKeyOut(public_key=_push_sender(request).public_key)


class PushController(Controller):
    path = "/api/v1/me/push-subscriptions"
    tags = ["resident notifications"]
    dependencies = RESIDENT
    security = RESIDENT_SECURITY

    @put("/", operation_id="subscribeToPush", status_code=204,
         summary="Receive my notifications as Web Push in this browser",
         description="Send the browser's PushSubscription (`subscription.toJSON()`). Each browser is one "
                     "subscription; one the push service reports gone is removed.",
         responses=problems({401: "no or bad resident token", 404: "Web Push is not configured on this server"}))
    async def subscribe(self, request: Request, data: JSONBody[PushSubscriptionIn],
                        resident: NamedDependency[Principal]) -> None:
        _push_sender(request)
        await subscriptions.subscribe(resident.id, Subscription(data.endpoint, data.keys.p256dh, data.keys.auth))

    @delete("/", operation_id="unsubscribeFromPush", status_code=204,
            summary="Stop Web Push to the browser with this endpoint",
            responses=problems({401: "no or bad resident token"}))
    async def unsubscribe(self, resident: NamedDependency[Principal],
                          endpoint: Annotated[str, QueryParameter(max_length=1000)]) -> None:
        await subscriptions.unsubscribe(resident.id, endpoint)
