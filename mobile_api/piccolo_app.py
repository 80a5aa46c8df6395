from pathlib import Path

from piccolo.conf.apps import AppConfig

from mobile_api.tables import RefreshToken, Residency, Resident

APP_CONFIG = AppConfig(
    app_name="mobile_api",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Resident, Residency, RefreshToken],
    migration_dependencies=["budgets.piccolo_app"],
    commands=[],
)
