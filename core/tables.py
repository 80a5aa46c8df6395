"""The shared core's tables: regions, residents with their residency history and sign-in tokens (the IIN is
kept only as a keyed hash), and the audit chain."""

from piccolo.columns import JSON, BigInt, Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Region(Table, tablename="region"):
    """An administrative unit of Kazakhstan, keyed by its 9-digit KATO code."""

    kato = Varchar(length=9, primary_key=True)
    parent = Varchar(length=9, null=True, index=True)
    # Ancestors and itself, "750000000/751210000/": a subtree is a prefix match.
    path = Varchar(length=100, index=True)
    name = JSON()
    population = BigInt(null=True, default=None)


class Resident(Table, tablename="resident"):
    id = Serial(primary_key=True)
    phone = Varchar(length=16, unique=True)
    iin_hash = Varchar(length=64, unique=True, null=True, default=None)
    birth_date = Date(null=True, default=None)
    # The current residency (the latest row of `residency`), read with the row on every ballot; a round
    # that opened before `region_since` looks its voter up in the history instead.
    region = Varchar(length=9, null=True, default=None)
    region_since = Timestamptz(null=True, default=None)
    language = Varchar(length=2, default="ru")
    created_at = Timestamptz()


class Residency(Table, tablename="residency"):
    """Where a resident was registered, from when: eligibility for a round is the residency that held
    when its voting opened, so a move never gives a ballot in a round that was already open."""

    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident, index=True)
    region = Varchar(length=9)
    # None for the first registration: it stands for wherever the person lived before Dauys knew them.
    valid_from = Timestamptz(null=True, default=None)
    recorded_at = Timestamptz(index=True)
    # Keyed, truncated hashes of the address and the device it was recorded from (see the anomaly scan).
    origin = Varchar(length=16, null=True, default=None)
    device = Varchar(length=16, null=True, default=None)
    # Set when staff release the IIN from this account: the history belonged to that identity claim.
    released_at = Timestamptz(null=True, default=None)


class RefreshToken(Table, tablename="refresh_token"):
    """A single-use refresh token; a family is one sign-in and its rotations."""

    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident, index=True)
    token_hash = Varchar(length=64, unique=True)
    family = Varchar(length=32, index=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class AuditEntry(Table, tablename="audit_entry"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    actor = Varchar(length=64)
    action = Varchar(length=64, index=True)
    target = Varchar(length=64)
    # The region the entry belongs to, for scoping reads to the caller's subtree.
    region_path = Varchar(length=100, index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    # Unique: two entries can never claim the same predecessor, so the chain cannot fork.
    prev_hash = Varchar(length=64, unique=True)
    hash = Varchar(length=64, unique=True)
