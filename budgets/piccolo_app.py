from pathlib import Path

from piccolo.conf.apps import AppConfig

from budgets.tables import Anomaly, Ballot, LedgerCheckpoint, Project, Round, RoundResult

APP_CONFIG = AppConfig(
    app_name="budgets",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Round, Project, Ballot, RoundResult, Anomaly, LedgerCheckpoint],
    migration_dependencies=[],
    commands=[],
)
