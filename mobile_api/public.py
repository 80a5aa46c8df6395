"""Public, unauthenticated pages and images of the resident site: a project's page and its QR codes."""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
import qrcode.image.svg
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.response import Template
from qrcode.image.pure import PyPNGImage

from budgets.rounds import effective_status, get_project, get_round
from core.clock import KAZAKHSTAN, as_utc, database_now
from infra.http import PathId, localized
from infra.problems import problems
from infra.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"

def project_link(settings: Settings, project_id: int) -> str:
    return f"{settings.public_url}/projects/{project_id}"


class ProjectPublicController(Controller):
    tags = ["public"]

    @get("/api/v1/projects/{project_id:int}/qr.svg", operation_id="getProjectQrSvg", media_type="image/svg+xml",
         summary="QR code of the project's public page (SVG)", responses=problems({404: "no such project"}))
    async def qr_svg(self, project_id: PathId, settings: NamedDependency[Settings]) -> Response[bytes]:
        await get_project(project_id)
        image = qrcode.make(project_link(settings, project_id), image_factory=qrcode.image.svg.SvgPathImage)
        return Response(image.to_string(), media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})

    @get("/api/v1/projects/{project_id:int}/qr.png", operation_id="getProjectQrPng", media_type="image/png",
         summary="QR code of the project's public page (PNG)", responses=problems({404: "no such project"}))
    async def qr_png(self, project_id: PathId, settings: NamedDependency[Settings]) -> Response[bytes]:
        await get_project(project_id)
        buffer = io.BytesIO()
        qrcode.make(project_link(settings, project_id), image_factory=PyPNGImage, box_size=10).save(buffer)
        return Response(buffer.getvalue(), media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})

    @get("/projects/{project_id:int}", include_in_schema=False)
    async def page(self, project_id: PathId, language: NamedDependency[str]) -> Template:
        project = await get_project(project_id)
        round_row = await get_round(project["round"])
        return Template(
            template_name="project.html.jinja",
            context={
                "language": language,
                "project": project,
                "title": localized(project["title"], language),
                "description": localized(project["description"], language),
                "round_title": localized(round_row["title"], language),
                "status": effective_status(round_row, await database_now()),
                "opens": as_utc(round_row["voting_opens_at"]).astimezone(KAZAKHSTAN),
                "closes": as_utc(round_row["voting_closes_at"]).astimezone(KAZAKHSTAN),
                "round": round_row,
            },
        )
