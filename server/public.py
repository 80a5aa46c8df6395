"""Public, unauthenticated pages and images: health, readiness, a project's page and its QR codes."""

from __future__ import annotations

import asyncio
import io

import qrcode
import qrcode.image.svg
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.response import Template
from qrcode.image.pure import PyPNGImage

from budgets.clock import KAZAKHSTAN, as_utc, database_now
from budgets.rounds import effective_status, get_project, get_round
from budgets.tables import Region
from server.errors import PROBLEM, problems
from server.http import PathId, localized
from server.settings import Settings
from server.stores import Store

READY_TIMEOUT = 2.0
READY_RETRY_AFTER = 5


class HealthController(Controller):
    path = "/api/v1"
    tags = ["operations"]

    @get("/health", operation_id="getHealth", summary="Liveness: answers without touching the database")
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", operation_id="getReadiness", summary="Readiness: the database and Redis answer",
         responses=problems({503: "a dependency is down"}))
    async def ready(self, store: NamedDependency[Store]) -> Response[dict[str, str]]:
        checks = {}
        # A load balancer asks often and waits little: a dependency that hangs counts as down.
        try:
            await asyncio.wait_for(Region.count(), READY_TIMEOUT)
            checks["database"] = "ok"
        except Exception as exc:  # readiness reports any failure instead of raising it
            checks["database"] = f"down: {type(exc).__name__}"
        try:
            checks["store"] = "ok" if await asyncio.wait_for(store.ping(), READY_TIMEOUT) else "down"
        except Exception as exc:
            checks["store"] = f"down: {type(exc).__name__}"
        if all(value == "ok" for value in checks.values()):
            return Response({"status": "ok", **checks})
        # Like every error, a problem document; the checks stay as extra members for operators.
        down = "; ".join(f"{name} {value}" for name, value in checks.items() if value != "ok")
        return Response({"type": "about:blank", "status": 503, "title": "Service temporarily unavailable",
                         "detail": f"Not ready: {down}.", **checks},
                        status_code=503, media_type=PROBLEM, headers={"Retry-After": str(READY_RETRY_AFTER)})


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
