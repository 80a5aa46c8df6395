"""Staff correcting identity: releasing an IIN that an account holds, so its real owner can register."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from admin.routes import provide_member
from admin.schemas import IdentityReleaseIn, IdentityReleaseOut
from admin.staff import require_scope
from budgets.identities import release_identity
from infra.http import STAFF, STAFF_SECURITY
from infra.problems import problems
from infra.settings import Settings


class IdentityController(Controller):
    path = "/api/v1/admin/identity"
    tags = ["admin"]
    dependencies = {**STAFF, "member": Provide(provide_member)}
    security = STAFF_SECURITY

    @post("/release", operation_id="releaseIdentity", status_code=200,
          summary="Release an IIN from the account that holds it",
          description="For an admin of the holder's region, with a reason in kk and/or ru (at least 10 "
          "characters) that is published. The account keeps its phone but no longer has an IIN; its ballots in "
          "rounds not yet counted are set aside with the reason (shown in each round's invalidations; the "
          "ledger is unchanged), the release is audited and shown on those rounds' integrity pages, and the "
          "IIN's real owner can then register it.",
          responses=problems({401: "no or bad staff token", 403: "the holder is outside my region, or not an admin",
                              404: "no account holds this IIN", 409: "released or registered again meanwhile",
                              422: "IIN fails the checksum, or the reason is missing or too short"}))
    async def release(self, data: JSONBody[IdentityReleaseIn], member: NamedDependency[dict[str, Any]],
                      settings: NamedDependency[Settings]) -> IdentityReleaseOut:
        return IdentityReleaseOut(**await release_identity(
            settings, f"staff:{member['id']}", data.iin, data.reason,
            partial(require_scope, member, roles=("admin",), target="identity:release")))
