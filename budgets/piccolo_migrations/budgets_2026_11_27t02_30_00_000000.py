"""Ballot constraints that Piccolo's column options cannot express: partial unique indexes."""

from infra.migrations import ddl_migration

ID = "2026-11-27T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one counted ballot per voter and round; idempotency keys"

STATEMENTS = [
    # Principle 2: one counted ballot per voter and round, enforced by the database itself.
    "CREATE UNIQUE INDEX ballot_one_counted ON ballot (round, voter) WHERE status = 'counted'",
    "CREATE UNIQUE INDEX ballot_idempotency ON ballot (round, voter, idempotency_key) "
    "WHERE idempotency_key IS NOT NULL",
    "CREATE INDEX ballot_round_voter ON ballot (round, voter)",
]


async def forwards():
    return ddl_migration(ID, "budgets", DESCRIPTION, STATEMENTS)
