"""Turnout charts of a round: over time, by age group and by sub-region."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from admin.charts import bar_chart, line_chart
from admin.console.deps import Console
from admin.staff import READ_ROLES
from admin.turnout import breakdown, over_time
from core.clock import database_now
from infra.settings import Settings
from infra.stores import Store


class TurnoutPages(Controller):
    path = "/console/rounds/{round_id:int}/turnout"
    include_in_schema = False

    @get("/")
    async def turnout(self, console: NamedDependency[Console], round_id: FromPath[int],
                      store: NamedDependency[Store], settings: NamedDependency[Settings]) -> Template:
        row = await console.round(round_id, READ_ROLES)
        fmt = console.fmt
        points = await over_time(row, await database_now())
        parts = await breakdown(store, settings.secret_key, row)
        return console.page(
            "turnout.html.jinja", round=row, total=points[-1].voters if points else 0,
            over_time=line_chart([(fmt.time(p.at), p.voters) for p in points], console._("Voters over time")),
            by_age=bar_chart([(g, v, e) for g, v, e in parts["age"]], console._("Voters by age group")),
            by_region=bar_chart([(fmt.region(k), v, e) for k, v, e in parts["region"]],
                                console._("Voters by sub-region")),
        )
