"""The KATO tree: loading the reference list and answering "is this region inside that one"."""

from __future__ import annotations

import json
import time
from importlib import resources

from core.tables import Region
from infra.errors import NotFound


def reference_regions() -> list[dict]:
    """Kazakhstan's regions shipped with Dauys, parents before children."""
    return json.loads(resources.files("core").joinpath("data/regions.json").read_text(encoding="utf-8"))


async def load_regions(regions: list[dict]) -> int:
    """Insert or update regions (parents first); returns how many were written."""
    paths: dict[str, str] = {
        row["kato"]: row["path"] for row in await Region.select(Region.kato, Region.path)
    }
    for item in regions:
        parent = item.get("parent")
        path = (paths[parent] if parent else "") + item["kato"] + "/"
        paths[item["kato"]] = path
        values = {
            Region.parent: parent,
            Region.path: path,
            Region.name: item["name"],
            Region.population: item.get("population"),
        }
        if await Region.exists().where(Region.kato == item["kato"]):
            await Region.update(values).where(Region.kato == item["kato"])
        else:
            await Region.insert(Region(kato=item["kato"], **{col._meta.name: v for col, v in values.items()}))
    return len(regions)


# KATO paths change only when the reference list is reloaded; a minute of staleness is harmless.
_paths: dict[str, tuple[float, str]] = {}
PATH_TTL = 60.0


async def region_path(kato: str) -> str:
    cached = _paths.get(kato)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    row = await Region.select(Region.path).where(Region.kato == kato).first()
    if row is None:
        raise NotFound(f"There is no region with KATO code {kato}; GET /api/v1/regions lists them.")
    _paths[kato] = (time.monotonic() + PATH_TTL, row["path"])
    return row["path"]


async def region_paths(katos: set[str]) -> dict[str, str]:
    if not katos:
        return {}
    rows = await Region.select(Region.kato, Region.path).where(Region.kato.is_in(list(katos)))
    return {row["kato"]: row["path"] for row in rows}


def contains(ancestor_path: str, path: str) -> bool:
    return path.startswith(ancestor_path)


async def all_regions() -> list[dict]:
    return await Region.select().order_by(Region.path).output(load_json=True)
