from pathlib import Path

from piccolo.conf.apps import AppConfig

from ideas.tables import Idea, IdeaPhoto, IdeaSupport

APP_CONFIG = AppConfig(
    app_name="ideas",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Idea, IdeaSupport, IdeaPhoto],
    # Ideas belong to rounds and are written by residents.
    migration_dependencies=["budgets.piccolo_app", "core.piccolo_app"],
    commands=[],
)
