"""The composite keys of initiatives: one signature per person, one surge flag per window and source."""

from infra.migrations import ddl_migration

ID = "2026-12-03T08:04:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "initiatives: one signature per initiative and person, surge flags recorded once"

STATEMENTS = [
    # One person signs once, whatever their phones: the signer is the IIN's keyed hash.
    "CREATE UNIQUE INDEX initiative_signature_once ON initiative_signature (initiative, signer)",
    # The surge scan counts an initiative's signatures by time.
    "CREATE INDEX initiative_signature_by_time ON initiative_signature (initiative, signed_at)",
    # Several processes may scan the same window: the flag is written once.
    "CREATE UNIQUE INDEX initiative_surge_once ON initiative_surge (initiative, kind, subject, window_start)",
]


async def forwards():
    return ddl_migration(ID, "initiatives", DESCRIPTION, STATEMENTS)
