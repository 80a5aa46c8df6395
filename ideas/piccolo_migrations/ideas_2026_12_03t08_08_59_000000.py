"""What makes ideas and supports unique, and the trigram index the reviewer's duplicate finder uses."""

from infra.migrations import ddl_migration

ID = "2026-12-03T08:08:59:000000"
VERSION = "1.38.0"
DESCRIPTION = "ideas: one support per person and idea, the per-person limit's slots, trigram search"

UNIQUE = [
    # One support per person (the IIN's keyed hash) and idea, however many phones they use.
    "CREATE UNIQUE INDEX idea_support_once ON idea_support (idea, supporter)",
    # Slots 1..5 per person and round: two ideas sent at once cannot both take the fifth place.
    "CREATE UNIQUE INDEX idea_author_slot ON idea (round, author_identity, slot)",
    # Listing a round's ideas by supports or newest, a page at a time.
    "CREATE INDEX idea_by_supports ON idea (round, supports, id)",
]
STATEMENTS = [
    *UNIQUE,
    # pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX idea_title_trigrams ON idea USING gin (title gin_trgm_ops)",
]


async def forwards():
    return ddl_migration(ID, "ideas", DESCRIPTION, STATEMENTS, sqlite=UNIQUE)
