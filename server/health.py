"""Liveness and readiness, for the load balancer and the orchestrator in front of each process."""

from __future__ import annotations

import asyncio

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from core.tables import Region
from infra.problems import PROBLEM, problems
from infra.stores import Store

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
