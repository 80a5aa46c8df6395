"""Staff management for admins: the accounts of my region and below, new accounts, (de)activation."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from admin.console.deps import Console
from admin.console.forms import Form
from admin.console.round_pages import region_options
from admin.staff import ROLES, create_staff, list_staff, require_scope, set_active
from infra.errors import DomainError

FIELDS = ("email", "password", "region", "role", "language")


class StaffPages(Controller):
    path = "/console/staff"
    include_in_schema = False

    @get("/")
    async def staff_list(self, console: NamedDependency[Console]) -> Template:
        await require_scope(console.member, console.member["region"])
        return console.page("staff.html.jinja", accounts=await list_staff(console.member))

    @get("/new")
    async def new_staff(self, console: NamedDependency[Console]) -> Template:
        await require_scope(console.member, console.member["region"])
        form = Form({"region": console.member["region"], "role": "moderator", "language": console.language}, FIELDS)
        return await self._editor(console, form)

    @post("/new")
    async def create(self, console: NamedDependency[Console], data: URLEncodedBody[dict[str, Any]]
                     ) -> Template | Redirect:
        form = Form.of(data, FIELDS)
        await require_scope(console.member, form.text("region") or console.member["region"])
        try:
            await create_staff(console.actor, form.text("email"), form.values.get("password", ""),
                               form.text("region"), form.text("role"), form.text("language") or "ru")
            return Redirect("/console/staff", status_code=303)
        except DomainError as exc:
            form.refuse(exc)
        form.values.pop("password", None)
        return await self._editor(console, form, 422)

    @post("/{staff_id:int}/active")
    async def activate(self, console: NamedDependency[Console], staff_id: FromPath[int],
                       data: URLEncodedBody[dict[str, Any]]) -> Redirect:
        active = Form.of(data).flag("active")
        await set_active(console.member, staff_id, active)
        return Redirect("/console/staff", status_code=303)

    async def _editor(self, console: Console, form: Form, status_code: int = 200) -> Template:
        return console.page("staff_edit.html.jinja", status_code, form=form,
                            role_options=[(role, console._(role)) for role in ROLES],
                            region_options=await region_options(console))
