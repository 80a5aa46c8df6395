"""Public, unauthenticated images of the resident site: the QR codes of a project's page (the page itself is
mobile_api.site's)."""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
import qrcode.image.svg
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from qrcode.image.pure import PyPNGImage

from budgets.rounds import get_project
from budgets.schemas import project_page
from infra.http import PathId
from infra.problems import problems
from infra.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"

def project_link(settings: Settings, project_id: int) -> str:
    return project_page(settings.public_url, project_id)


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
