"""Staff accounts: creation, password sign-in and the region rule (a staff member acts in its subtree)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from admin import audit
from admin.tables import Staff
from budgets.errors import FieldError
from budgets.errors import Conflict, NotAllowed, NotAuthenticated, RuleBroken
from budgets.regions import contains, region_path
from server.database import write_transaction

ROLES = ("admin", "moderator", "delivery")
MIN_PASSWORD_LENGTH = 10
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

hasher = PasswordHasher()
# Verifying against this keeps an unknown e-mail as slow as a wrong password, so timing reveals nothing.
DECOY_HASH = hasher.hash("dauys decoy password")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.isalpha() or password.isdigit():
        raise RuleBroken(
            f"A staff password has at least {MIN_PASSWORD_LENGTH} characters and mixes letters with digits or signs.",
            [FieldError("password", "too weak")],
        )


async def create_staff(actor: str, email: str, password: str, region: str, role: str) -> dict:
    email = email.strip().lower()
    errors = []
    if not EMAIL.fullmatch(email):
        errors.append(FieldError("email", "not an e-mail address"))
    if role not in ROLES:
        errors.append(FieldError("role", f"must be one of {', '.join(ROLES)}"))
    if errors:
        raise RuleBroken("The staff account is not valid: " + "; ".join(f"{e.field} {e.message}" for e in errors),
                         errors)
    check_password_policy(password)
    path = await region_path(region)
    async with write_transaction():
        if await Staff.exists().where(Staff.email == email):
            raise Conflict(f"A staff account with e-mail {email} already exists.")
        staff = Staff(email=email, password_hash=hasher.hash(password), region=region, role=role,
                      created_at=datetime.now(UTC))
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


async def get_staff(staff_id: int) -> dict:
    row = await Staff.select().where((Staff.id == staff_id) & (Staff.is_active == True)).first()  # noqa: E712
    if row is None:
        raise NotAuthenticated("This staff account is no longer active: sign in again.")
    return row


async def require_scope(staff: dict, region: str, roles: tuple[str, ...] = ("admin",)) -> str:
    """The region's path, when `staff` may act there in one of `roles`; NotAllowed otherwise."""
    path = await region_path(region)
    if not contains(await region_path(staff["region"]), path):
        raise NotAllowed(f"Your account manages region {staff['region']} and the regions inside it, not {region}.")
    if staff["role"] not in roles:
        raise NotAllowed(f"This needs the {' or '.join(roles)} role; your role is {staff['role']}.")
    return path
