"""Residents and their sign-in tokens. The IIN is kept only as a keyed hash."""

from piccolo.columns import Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Resident(Table, tablename="resident"):
    id = Serial(primary_key=True)
    phone = Varchar(length=16, unique=True)
    iin_hash = Varchar(length=64, unique=True, null=True, default=None)
    birth_date = Date(null=True, default=None)
    region = Varchar(length=9, null=True, default=None)
    language = Varchar(length=2, default="ru")
    created_at = Timestamptz()


class RefreshToken(Table, tablename="refresh_token"):
    """A single-use refresh token; a family is one sign-in and its rotations."""

    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident, index=True)
    token_hash = Varchar(length=64, unique=True)
    family = Varchar(length=32, index=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
