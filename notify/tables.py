"""Tables of notifications: the outbox of events, deliveries per channel, the in-app feed, follows, preferences.

Composite unique keys (a delivery per event, resident and channel; a feed item per resident and event; a
follow per resident and target) are indexes of the migration that Piccolo's columns cannot say.
"""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.tables import Resident


class NotifyEvent(Table, tablename="notify_event"):
    """Something residents should hear of, written in the transaction of the change it reports."""

    id = Serial(primary_key=True)
    kind = Varchar(length=48)
    subject_kind = Varchar(length=16)
    subject_id = Varchar(length=32)
    # The region of the subject, for staff's counts and for the "residents of the region" audience.
    region = Varchar(length=9, null=True, default=None)
    # Who hears of it: {"follows": [[kind, id], ...], "region": kato or null} (see notify.outbox.Audience).
    audience = JSON()
    payload = JSON()
    # Unique where set: an event that must be told once (a reminder) is emitted by every process harmlessly.
    once_key = Varchar(length=96, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # pending (still fanning out) | done | dead
    state = Varchar(length=8, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    # The highest resident id fanned out so far: a batch commits with its cursor, so a rerun goes on from it.
    cursor = Integer(default=0)
    last_error = Text(null=True, default=None)


class Delivery(Table, tablename="notify_delivery"):
    """One event to one resident on one outside channel (sms); the feed's record is its feed item."""

    id = Serial(primary_key=True)
    event = ForeignKey(references=NotifyEvent)
    resident = ForeignKey(references=Resident, index=True)
    channel = Varchar(length=8)
    # queued | sent | failed (will retry) | dead | skipped (the daily cap)
    state = Varchar(length=8, default="queued")
    attempts = Integer(default=0)
    # When the worker may next take it: retries back off, quiet hours defer, a claim holds it for a lease.
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    last_error = Text(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)


class FeedItem(Table, tablename="notify_feed_item"):
    """An event in a resident's in-app feed; its text is rendered when read, in the language of that moment."""

    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident)
    event = ForeignKey(references=NotifyEvent)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)


class Follow(Table, tablename="notify_follow"):
    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident)
    # project | round | initiative | region; the target is the id as text (a region's is its KATO code).
    kind = Varchar(length=16)
    target = Varchar(length=32)
    created_at = Timestamptz(default=TimestamptzNow())


class Preference(Table, tablename="notify_preference"):
    """A resident's choices, and the day's SMS count that the cap reads; no row means the defaults."""

    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident, unique=True)
    language = Varchar(length=2, default="ru")
    sms = Boolean(default=True)
    push = Boolean(default=True)
    # Minutes after midnight in Kazakhstan time (UTC+5); both null for no quiet hours.
    quiet_from = Integer(null=True, default=None)
    quiet_to = Integer(null=True, default=None)
    sms_day = Date(null=True, default=None)
    sms_count = Integer(default=0)


class PushSubscription(Table, tablename="notify_push_subscription"):
    """One browser's Web Push subscription (a resident has one per device); deleted when the service says 410."""

    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident, index=True)
    endpoint = Varchar(length=1000, unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
