"""The composite keys of notifications: what makes a delivery, a feed item and a follow unique."""

from infra.migrations import ddl_migration

ID = "2026-12-02T15:25:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "notify: dedupe keys of deliveries and feed items, unique follows, the worker's indexes"

STATEMENTS = [
    # At least once to the channel, shown once to the person: a rerun of a fan-out batch inserts nothing new.
    "CREATE UNIQUE INDEX notify_delivery_dedupe ON notify_delivery (event, resident, channel)",
    "CREATE UNIQUE INDEX notify_feed_item_dedupe ON notify_feed_item (resident, event)",
    "CREATE UNIQUE INDEX notify_follow_target ON notify_follow (resident, kind, target)",
    # The fan-out finds an event's followers by target; the feed pages a resident's items newest first.
    "CREATE INDEX notify_follow_by_target ON notify_follow (kind, target)",
    "CREATE INDEX notify_feed_item_page ON notify_feed_item (resident, id)",
    "CREATE INDEX notify_delivery_due ON notify_delivery (state, next_attempt_at)",
    "CREATE INDEX notify_event_due ON notify_event (state, next_attempt_at)",
    "CREATE INDEX notify_event_subject ON notify_event (subject_kind, subject_id)",
]


async def forwards():
    return ddl_migration(ID, "notify", DESCRIPTION, STATEMENTS)
