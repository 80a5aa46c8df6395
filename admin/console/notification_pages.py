"""What residents were told of a round, in the console: counts by channel and state, and the dead letters."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from admin.console.deps import Console
from admin.staff import READ_ROLES
from notify.reports import counts_of


class NotificationPages(Controller):
    path = "/console/rounds/{round_id:int}/notifications"
    include_in_schema = False

    @get("/")
    async def notifications(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Template:
        row = await console.round(round_id, READ_ROLES)
        return console.page("notifications.html.jinja", round=row, counts=await counts_of("round", str(round_id)))
