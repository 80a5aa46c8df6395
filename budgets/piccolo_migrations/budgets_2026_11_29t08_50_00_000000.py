"""One index finds a voter's earlier ballots and their Idempotency-Keys: two fewer index entries per ballot."""

from infra.migrations import ddl_migration

ID = "2026-11-29T08:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ballot: one (round, voter, idempotency_key) index in place of two"

STATEMENTS = [
    # Unique, with NULLs distinct (both databases): a key names one request of one voter in one round,
    # and ballots sent without a key never collide. Its (round, voter) prefix serves every lookup of a
    # voter's ballots, so the separate (round, voter) index only cost writes.
    "CREATE UNIQUE INDEX ballot_voter_key ON ballot (round, voter, idempotency_key)",
    "DROP INDEX ballot_idempotency",
    "DROP INDEX ballot_round_voter",
]


async def forwards():
    return ddl_migration(ID, "budgets", DESCRIPTION, STATEMENTS)
