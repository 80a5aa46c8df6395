"""Each akimat's settings for the initiatives addressed to it, and the figures they resolve to."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from core import audit
from core.clock import database_now
from core.regions import region_path
from core.tables import Region
from infra.database import write_transaction
from infra.errors import NotFound
from initiatives import rules
from initiatives.tables import RegionSettings

FIELDS = ("initiative_threshold", "answer_days", "hearing_threshold", "ballot_threshold")


@dataclass(frozen=True)
class Resolved:
    """A region's settings as set (None: the default) and the threshold that applies."""

    set: rules.RegionRules
    threshold: int
    default_threshold: int


async def resolved(kato: str) -> Resolved:
    region = await Region.select(Region.parent, Region.population).where(Region.kato == kato).first()
    if region is None:
        raise NotFound("There is no region with KATO code {kato}; GET /api/v1/regions lists them.", kato=kato)
    row = await RegionSettings.select(*(getattr(RegionSettings, f) for f in FIELDS)).where(
        RegionSettings.region == kato).first()
    chosen = rules.RegionRules(**row) if row else rules.RegionRules()
    default = rules.default_threshold(region["parent"] is None, region["population"])
    return Resolved(chosen, chosen.initiative_threshold or default, default)


async def set_rules(actor: str, kato: str, wanted: rules.RegionRules) -> Resolved:
    """Replace a region's settings (audited); thresholds of open collections stay as published."""
    rules.check_region_rules(wanted)
    path = await region_path(kato)
    async with write_transaction():
        before = await resolved(kato)
        values = {getattr(RegionSettings, f): getattr(wanted, f) for f in FIELDS}
        now = await database_now()
        if await RegionSettings.exists().where(RegionSettings.region == kato):
            await RegionSettings.update({**values, RegionSettings.updated_at: now}).where(
                RegionSettings.region == kato)
        else:
            await RegionSettings.insert(RegionSettings(region=kato, updated_at=now,
                                                       **{f: getattr(wanted, f) for f in FIELDS}))
        await audit.record(actor, "initiative.settings", f"region:{kato}", path,
                           asdict(before.set), asdict(wanted))
    return replace(before, set=wanted, threshold=wanted.initiative_threshold or before.default_threshold)
