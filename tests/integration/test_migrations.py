"""A database migrated before the core app existed upgrades in place: nothing is created twice or lost.

Residents' tables were the `mobile_api` app's, regions were `budgets`' and the audit chain `admin`'s; the
core app took them over. The test puts the migration table back as such a database has it and migrates.
"""

from __future__ import annotations

from piccolo.apps.migrations.tables import Migration

from core.tables import AuditEntry, Region, Resident
from infra.migrations import migrate
from infra.settings import get_settings

# The migrations that only moved tables between apps (fake: they change no table).
ADOPTIONS = {"budgets": "2026-12-02T15:05:05:492649", "admin": "2026-12-02T15:05:06:789495",
             "core": "2026-12-02T15:05:07:700556"}


async def test_a_database_from_before_the_core_app_upgrades_in_place(client, outbox):
    from tests.helpers import resident

    await resident(client, outbox)
    before = (await Region.count(), await Resident.count(), await AuditEntry.count())
    for app, migration_id in ADOPTIONS.items():
        await Migration.delete().where((Migration.app_name == app) & (Migration.name == migration_id))
    await Migration.update({Migration.app_name: "mobile_api"}).where(Migration.app_name == "core")
    assert await Migration.count().where(Migration.app_name == "mobile_api") == 3

    await migrate(get_settings())

    assert await Migration.count().where(Migration.app_name == "mobile_api") == 0
    for app, migration_id in ADOPTIONS.items():
        assert await Migration.exists().where((Migration.app_name == app) & (Migration.name == migration_id))
    assert (await Region.count(), await Resident.count(), await AuditEntry.count()) == before
    # and once more: a migrated database stays as it is
    applied = await Migration.count()
    await migrate(get_settings())
    assert await Migration.count() == applied
