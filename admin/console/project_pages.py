"""Projects in the console: adding and editing them, their photo, and a printable A4 poster."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Template

from admin import photos
from admin.console.deps import Console
from admin.console.forms import Form
from admin.console.i18n import Formats, translations
from admin.console.qr import qr_svg
from admin.console.round_pages import region_options
from admin.staff import READ_ROLES
from budgets import rounds
from budgets.records import ProjectRecord, RoundRecord
from budgets.schemas import project_page
from core.clock import database_now
from core.regions import region_path
from infra import images
from infra.errors import DomainError, NotFound
from infra.settings import Settings
from infra.storage import FileStorage

FIELDS = ("title", "description", "cost", "region", "photo")
POSTER_LANGUAGES = ("kk", "ru")


@dataclass(frozen=True)
class PosterSide:
    """One language's half of a poster: its words and its formats."""

    lang: str
    gettext: Callable[[str], str]
    fmt: Formats


def _values(project: ProjectRecord) -> dict[str, str]:
    values = {"cost": str(project.cost), "region": project.region}
    for name in ("title", "description"):
        for lang, text in getattr(project, name).items():
            values[f"{name}_{lang}"] = text
    return values


class ProjectPages(Controller):
    path = "/console"
    include_in_schema = False

    @get("/rounds/{round_id:int}/projects/new")
    async def new_project(self, console: NamedDependency[Console], round_id: FromPath[int]) -> Template:
        round_ = await console.round(round_id)
        return await self._editor(console, Form({"region": round_.region}, FIELDS), round_, None)

    @post("/rounds/{round_id:int}/projects/new")
    async def add_project(self, console: NamedDependency[Console], round_id: FromPath[int],
                          data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        round_ = await console.round(round_id)
        form = Form.of(data, FIELDS)
        cost = form.integer("cost")
        if cost is not None:
            try:
                await rounds.add_project(console.actor, round_id, form.texts("title"), form.texts("description"),
                                         cost, form.text("region") or None)
                return Redirect(f"/console/rounds/{round_id}", status_code=303)
            except DomainError as exc:
                form.refuse(exc)
        return await self._editor(console, form, round_, None, 422)

    @get("/projects/{project_id:int}/edit")
    async def edit_project(self, console: NamedDependency[Console], project_id: FromPath[int]) -> Template:
        project, round_ = await console.project(project_id)
        return await self._editor(console, Form(_values(project), FIELDS), round_, project)

    @post("/projects/{project_id:int}/edit")
    async def update_project(self, console: NamedDependency[Console], project_id: FromPath[int],
                             data: URLEncodedBody[dict[str, Any]]) -> Template | Redirect:
        project, round_ = await console.project(project_id)
        form = Form.of(data, FIELDS)
        cost = form.integer("cost")
        if cost is not None:
            try:
                await rounds.update_project(console.actor, project_id, form.texts("title"),
                                            form.texts("description"), cost, form.text("region") or None)
                return Redirect(f"/console/rounds/{round_.id}", status_code=303)
            except DomainError as exc:
                form.refuse(exc)
        return await self._editor(console, form, round_, project, 422)

    @post("/projects/{project_id:int}/photo", request_max_body_size=images.MAX_REQUEST_BYTES)
    async def upload_photo(self, console: NamedDependency[Console], project_id: FromPath[int],
                           data: MultipartBody[dict[str, Any]], storage: NamedDependency[FileStorage]
                           ) -> Template | Redirect:
        project, round_ = await console.project(project_id)
        upload = data.get("photo")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            await photos.save_photo(storage, console.actor, project.id, await region_path(round_.region), content)
        except DomainError as exc:
            form = Form(_values(project), FIELDS)
            form.refuse(exc)
            return await self._editor(console, form, round_, project, 422)
        return Redirect(f"/console/projects/{project_id}/edit", status_code=303)

    @get("/projects/{project_id:int}/photo")
    async def photo(self, console: NamedDependency[Console], project_id: FromPath[int],
                    storage: NamedDependency[FileStorage]) -> Response[bytes]:
        await console.project(project_id, READ_ROLES)
        stored = await photos.photo_of(project_id)
        content = await storage.get(stored["key"]) if stored else None
        if content is None:
            raise NotFound("Project {project} has no photo.", project=project_id)
        return Response(content, media_type=stored["content_type"],
                        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"})

    @get("/projects/{project_id:int}/poster")
    async def poster(self, console: NamedDependency[Console], project_id: FromPath[int],
                     settings: NamedDependency[Settings]) -> Template:
        project, round_ = await console.project(project_id, READ_ROLES)
        link = project_page(settings.public_url, project_id)
        # Posters hang where residents of either language pass: Kazakh and Russian side by side, whatever
        # language the member who prints it reads the console in.
        sides = [PosterSide(language, translations(language).gettext, Formats(language, console.regions))
                 for language in POSTER_LANGUAGES]
        return console.page("poster.html.jinja", project=project, round=round_, sides=sides, link=link,
                            qr=qr_svg(link), opens=round_.voting_opens_at, closes=round_.voting_closes_at,
                            has_photo=await photos.photo_of(project_id) is not None)

    async def _editor(self, console: Console, form: Form, round_: RoundRecord, project: ProjectRecord | None,
                      status_code: int = 200) -> Template:
        status = rounds.effective_status(round_, await database_now())
        return console.page("project_edit.html.jinja", status_code, form=form, round=round_, project=project,
                            status=status, region_options=await region_options(console),
                            photo=await photos.photo_of(project.id) if project else None,
                            max_photo_mb=images.MAX_BYTES // (1024 * 1024))
