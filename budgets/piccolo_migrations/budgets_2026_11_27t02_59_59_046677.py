"""Each anomaly is recorded once, however many processes detect it."""

from infra.migrations import ddl_migration

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
    return ddl_migration(ID, "budgets", DESCRIPTION, STATEMENTS)
