from pathlib import Path

from piccolo.conf.apps import AppConfig

from admin.tables import ProjectPhoto, Staff

APP_CONFIG = AppConfig(
    app_name="admin",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Staff, ProjectPhoto],
    migration_dependencies=["budgets.piccolo_app"],
    commands=[],
)
