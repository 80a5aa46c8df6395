from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-27T05:50:11:501539"
VERSION = "1.38.0"
DESCRIPTION = "ballot: no index on round alone"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="budgets", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Ballot",
        tablename="ballot",
        column_name="round",
        db_column_name="round",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
