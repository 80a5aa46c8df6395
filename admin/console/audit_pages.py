"""The audit log of my region, newest first, with filters, and whether its chain holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from admin.console.deps import Console
from admin.console.forms import Form
from admin.console.i18n import parse_local
from admin.staff import scope_path
from core.audit import AuditFilter, search
from infra.i18n import N_

PAGE = 50
# Filters are short: anything longer is not an action, an actor or a target.
Filter = Annotated[str, QueryParameter(max_length=64)]


class AuditPages(Controller):
    path = "/console/audit"
    include_in_schema = False

    @get("/")
    async def audit_log(self, console: NamedDependency[Console], action: Filter = "", actor: Filter = "",
                        target: Filter = "", since: Filter = "", until: Filter = "",
                        before: Annotated[int | None, QueryParameter(ge=1, le=2**62)] = None) -> Template:
        form = Form({"action": action, "actor": actor, "target": target, "since": since, "until": until})
        start = parse_local(since + "T00:00") if since else None
        end = parse_local(until + "T00:00") if until else None
        if since and start is None:
            form.errors["since"] = N_("Enter a date.")
        if until and end is None:
            form.errors["until"] = N_("Enter a date.")
        where = AuditFilter(action.strip(), actor.strip(), target.strip(), start,
                            end + timedelta(days=1) if end else None)
        items = await search(await scope_path(console.member), where, before, PAGE)
        older = items[-1]["id"] if len(items) == PAGE else None
        return console.page("audit.html.jinja", form=form, items=items, older=older)
