from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T15:05:05:492649"
VERSION = "1.38.0"
DESCRIPTION = "region moves to the core app: no change to the database"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="budgets", description=DESCRIPTION,
        # Only the schema history changes owner: the table stays as it is, with its rows and triggers.
        fake=True,
    )

    manager.drop_table(class_name="Region", tablename="region", schema=None)

    return manager
