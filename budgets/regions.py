"""The KATO tree: loading the reference list and answering "is this region inside that one"."""

from __future__ import annotations

import json
from importlib import resources

from budgets.errors import NotFound
from budgets.tables import Region


def reference_regions() -> list[dict]:
    """Kazakhstan's regions shipped with Dauys, parents before children."""
    return json.loads(resources.files("budgets").joinpath("data/regions.json").read_text(encoding="utf-8"))


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


async def region_path(kato: str) -> str:
    row = await Region.select(Region.path).where(Region.kato == kato).first()
    if row is None:
        raise NotFound(f"There is no region with KATO code {kato}; GET /api/v1/regions lists them.")
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
