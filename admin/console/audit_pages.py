"""The audit log of my region, newest first, a page at a time, with filters (admin.console.audit_entries)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from admin.console.audit_entries import EntryView, names_of, read_filters
from admin.console.deps import Console
from admin.console.forms import Form
from admin.console.messages import AUDIT_ACTIONS
from admin.staff import list_staff, scope_path
from core.audit import search

PAGE = 25


class AuditPages(Controller):
    path = "/console/audit"
    include_in_schema = False

    @get("/")
    async def audit_log(self, console: NamedDependency[Console], request: Request) -> Template:
        # The filters are read by hand rather than as typed parameters: a bad one is a message beside its
        # field on this page, not an error page.
        filters = await read_filters(request.query_params)
        form = Form(filters.values, tuple(filters.values), filters.errors, filters.message)
        items: list[dict] = []
        older = newer = None
        if not filters.errors:
            # One more than a page says whether there is a further page in the direction read.
            found = await search(await scope_path(console.member), filters.where, filters.before, PAGE + 1,
                                 filters.after)
            further = len(found) > PAGE
            items = found[1:] if filters.after and further else found[:PAGE]
            if items:
                older = filters.link(before=items[-1]["id"]) if further or filters.after else None
                newer = filters.link(after=items[0]["id"]) if (filters.before or (filters.after and further)) \
                    else None
        view = EntryView(console.fmt, console._,
                         await names_of({ref for item in items for ref in (item["actor"], item["target"])},
                                        console.fmt))
        return console.page("audit.html.jinja", form=form, items=items, older=older, newer=newer,
                            newest=filters.link(), view=view, accounts=await list_staff(console.member),
                            actions=sorted(((code, console._(label)) for code, label in AUDIT_ACTIONS.items()),
                                           key=lambda option: option[1]))
