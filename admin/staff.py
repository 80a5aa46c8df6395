"""Staff accounts: creation, password sign-in, the account's settings and the region rule.

A staff member acts in its region and the regions inside it; the national `superuser` (created only
from the command line) acts everywhere. Every refusal of the region or role rule is itself audited,
so an akimat sees who reached for its data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from admin.tables import Staff
from core import audit
from core.regions import contains, region_name, region_path, region_paths
from infra.database import write_transaction
from infra.errors import Conflict, FieldError, NotAllowed, NotAuthenticated, NotFound, RuleBroken, listed

ROLES = ("admin", "moderator", "delivery")
SUPERUSER = "superuser"
LANGUAGES = ("kk", "ru", "en")
MIN_PASSWORD_LENGTH = 10
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# What an account may read about its region's rounds, as opposed to changing them (admin only).
READ_ROLES = ("admin", "moderator", "delivery")
# Who looks into a round's anomalies and quarantines, invalidates or releases its ballots.
REVIEW_ROLES = ("admin", "moderator")

hasher = PasswordHasher()
# Verifying against this keeps an unknown e-mail as slow as a wrong password, so timing reveals nothing.
DECOY_HASH = hasher.hash("dauys decoy password")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.isalpha() or password.isdigit() or len(password) > 200:
        raise RuleBroken(
            "A staff password has {least} to 200 characters and mixes letters with digits or signs.",
            [FieldError("password", "too weak")], least=MIN_PASSWORD_LENGTH,
        )


def check_account(email: str, role: str, language: str, allow_superuser: bool) -> str:
    email = email.strip().lower()
    roles = ROLES + ((SUPERUSER,) if allow_superuser else ())
    errors = []
    if not EMAIL.fullmatch(email) or len(email) > 254:
        errors.append(FieldError("email", "not an e-mail address"))
    if role not in roles:
        errors.append(FieldError("role", f"must be one of {', '.join(roles)}"))
    if language not in LANGUAGES:
        errors.append(FieldError("language", "must be kk, ru or en"))
    if errors:
        raise RuleBroken("The staff account is not valid: {rules}", errors, rules=listed(errors))
    return email


async def create_staff(actor: str, email: str, password: str, region: str, role: str, language: str = "ru",
                       allow_superuser: bool = False) -> dict:
    """A new account; `superuser` only when the caller is the command line (allow_superuser)."""
    email = check_account(email, role, language, allow_superuser)
    check_password_policy(password)
    path = await region_path(region)
    async with write_transaction():
        if await Staff.exists().where(Staff.email == email):
            raise Conflict("A staff account with e-mail {email} already exists.",
                           [FieldError("email", "already taken")], email=email)
        staff = Staff(email=email, password_hash=hasher.hash(password), region=region, role=role,
                      language=language, created_at=datetime.now(UTC))
        await staff.save()
        await audit.record(actor, "staff.create", f"staff:{staff.id}", path, None,
                           {"email": email, "region": region, "role": role})
    return {"id": staff.id, "email": email, "region": region, "role": role}


async def authenticate(email: str, password: str) -> int:
    row = await Staff.select().where((Staff.email == email.strip().lower()) & (Staff.is_active == True)).first()  # noqa: E712
    try:
        hasher.verify(row["password_hash"] if row else DECOY_HASH, password)
    except (VerificationError, InvalidHashError):
        row = None
    if row is None:
        raise NotAuthenticated("The e-mail or the password is wrong.")
    return row["id"]


async def get_staff(staff_id: int, generation: int | None = None) -> dict:
    """The active account `staff_id`; with `generation`, only while the token or session of that
    generation has not been revoked since it was issued."""
    row = await Staff.select().where((Staff.id == staff_id) & (Staff.is_active == True)).first()  # noqa: E712
    if row is None:
        raise NotAuthenticated("This staff account is no longer active: sign in again.")
    if generation is not None and generation != row["token_generation"]:
        raise NotAuthenticated("This sign-in was ended: the account signed out everywhere, was deactivated or "
                               "changed its two-factor sign-in since. Sign in again.")
    return row


async def revoke_sign_ins(actor: str, staff: dict) -> int:
    """End every token and console session of `staff` at once, in every process; returns the new generation."""
    async with write_transaction():
        moved = await Staff.update({Staff.token_generation: Staff.token_generation + 1}).where(
            Staff.id == staff["id"]).returning(Staff.token_generation)
        await audit.record(actor, "staff.sign_out_everywhere", f"staff:{staff['id']}",
                           await region_path(staff["region"]))
    return moved[0]["token_generation"]


async def scope_path(staff: dict) -> str:
    """The region path prefix of everything `staff` may see; empty (everything) for the superuser."""
    return "" if staff["role"] == SUPERUSER else await region_path(staff["region"])


async def refuse(staff: dict, target: str, path: str, reason: str, refusal: NotAllowed) -> None:
    """Audit a refused reach (in the target's region, so that its akimat sees it) and raise `refusal`."""
    async with write_transaction():
        await audit.record(f"staff:{staff['id']}", "access.denied", target, path, None,
                           {"reason": reason, "staff_region": staff["region"], "role": staff["role"]})
    raise refusal


async def require_scope(staff: dict, region: str, roles: tuple[str, ...] = ("admin",),
                        target: str | None = None) -> str:
    """The region's path, when `staff` may act there in one of `roles`; NotAllowed (audited) otherwise."""
    path = await region_path(region)
    target = target or f"region:{region}"
    if not contains(await scope_path(staff), path):
        await refuse(staff, target, path, "outside_region", NotAllowed(
            "Your account manages region {yours} and the regions inside it, not {region}.",
            yours=await region_name(staff["region"]), region=await region_name(region)))
    if staff["role"] not in roles and staff["role"] != SUPERUSER:
        await refuse(staff, target, path, "role", NotAllowed("This needs the {roles} role; your role is {role}.",
                                                             roles=" or ".join(roles), role=staff["role"]))
    return path


async def list_staff(staff: dict) -> list[dict]:
    """Accounts in the caller's subtree, by e-mail."""
    mine = await scope_path(staff)
    rows = await Staff.select(Staff.id, Staff.email, Staff.region, Staff.role, Staff.is_active, Staff.language,
                              Staff.totp_secret).order_by(Staff.email)
    paths = await region_paths({row["region"] for row in rows})
    return [
        {**{k: v for k, v in row.items() if k != "totp_secret"}, "two_factor": bool(row["totp_secret"])}
        for row in rows if contains(mine, paths[row["region"]])
    ]


async def staff_in_scope(staff: dict, staff_id: int) -> dict:
    """Another account the caller (an admin) may manage; NotFound when there is none, audited refusal outside."""
    row = await Staff.select().where(Staff.id == staff_id).first()
    if row is None:
        raise NotFound("There is no staff account {staff}.", staff=staff_id)
    await require_scope(staff, row["region"], ("admin",), target=f"staff:{staff_id}")
    if row["role"] == SUPERUSER and staff["role"] != SUPERUSER:
        await refuse(staff, f"staff:{staff_id}", await region_path(row["region"]), "role",
                     NotAllowed("Only a superuser manages a superuser account."))
    return row


async def set_active(actor: dict, staff_id: int, active: bool) -> dict:
    target = await staff_in_scope(actor, staff_id)
    if target["id"] == actor["id"]:
        raise Conflict("You cannot deactivate your own account.")
    async with write_transaction():
        # Deactivating also ends every sign-in, so that reactivating later does not revive old tokens.
        changes = {Staff.is_active: active} if active else {
            Staff.is_active: False, Staff.token_generation: Staff.token_generation + 1}
        await Staff.update(changes).where(Staff.id == staff_id)
        await audit.record(f"staff:{actor['id']}", "staff.update", f"staff:{staff_id}",
                           await region_path(target["region"]),
                           {"is_active": target["is_active"]}, {"is_active": active})
    return {**target, "is_active": active}


async def set_language(staff: dict, language: str) -> None:
    if language not in LANGUAGES:
        raise RuleBroken("The language is kk, ru or en.", [FieldError("language", "must be kk, ru or en")])
    await Staff.update({Staff.language: language}).where(Staff.id == staff["id"])


async def set_totp_secret(staff: dict, secret: str | None) -> None:
    async with write_transaction():
        await Staff.update({Staff.totp_secret: secret}).where(Staff.id == staff["id"])
        await audit.record(f"staff:{staff['id']}", "staff.two_factor", f"staff:{staff['id']}",
                           await region_path(staff["region"]), {"enabled": bool(staff["totp_secret"])},
                           {"enabled": bool(secret)})
