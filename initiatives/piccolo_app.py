from pathlib import Path

from piccolo.conf.apps import AppConfig

from initiatives.tables import Initiative, RegionSettings, Signature, SurgeFlag

APP_CONFIG = AppConfig(
    app_name="initiatives",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Initiative, Signature, RegionSettings, SurgeFlag],
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
