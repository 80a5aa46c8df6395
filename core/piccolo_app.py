from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.tables import AuditEntry, RefreshToken, Region, Residency, Resident

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Region, Resident, Residency, RefreshToken, AuditEntry],
    # Region and AuditEntry were created by the first migrations of budgets and admin, which this app adopted
    # (its migration of 2026-12-02T15:05:07 records them without touching the database): those run first.
    migration_dependencies=["budgets.piccolo_app", "admin.piccolo_app"],
    commands=[],
)
