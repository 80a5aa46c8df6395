"""Residents registered before residency had a history get its first row: their registration."""

from infra.migrations import ddl_migration

ID = "2026-12-02T10:22:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "residency: the first row of every registered resident"

STATEMENTS = [
    "INSERT INTO residency (resident, region, valid_from, recorded_at) "
    "SELECT id, region, NULL, created_at FROM resident WHERE region IS NOT NULL AND iin_hash IS NOT NULL",
]


async def forwards():
    return ddl_migration(ID, "core", DESCRIPTION, STATEMENTS)
