"""Akimat staff accounts and project photos (the audit chain they write to is core.tables.AuditEntry)."""

from piccolo.columns import BigInt, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Staff(Table, tablename="staff"):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    password_hash = Varchar(length=200)
    region = Varchar(length=9, index=True)
    role = Varchar(length=16)
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    # The console's language for this person: kk, ru or en.
    language = Varchar(length=2, default="ru")
    # Base32 TOTP secret once two-factor sign-in is confirmed; null while it is off.
    totp_secret = Varchar(length=64, null=True, default=None)
    # Each staff token carries the generation it was issued in; signing out everywhere, deactivation and a
    # new two-factor secret move it on, so every token issued before stops working on its next request.
    token_generation = Integer(default=0)


class ProjectPhoto(Table, tablename="project_photo"):
    """The photo of a project: the file lives in the photo storage under `key`, this row says which."""

    id = Serial(primary_key=True)
    project = Integer(unique=True)
    key = Varchar(length=128)
    content_type = Varchar(length=32)
    size = BigInt()
    uploaded_at = Timestamptz()
