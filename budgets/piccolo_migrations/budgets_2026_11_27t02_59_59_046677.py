"""Each anomaly is recorded once, however many processes detect it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T02:59:59:046677"
VERSION = "1.38.0"
DESCRIPTION = "unique anomalies; ledger order"

STATEMENTS = [
    "CREATE UNIQUE INDEX anomaly_once ON anomaly (round, kind, subject, window_start)",
    "CREATE UNIQUE INDEX ledger_checkpoint_once ON ledger_checkpoint (round, upto)",
    # The public ledger lists a round's ballots by the time the database accepted them.
    "CREATE INDEX ballot_round_cast_at ON ballot (round, cast_at, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="budgets", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
