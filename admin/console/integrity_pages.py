"""A round's integrity in the console: the anomalies found in its ballots, and the review of those ballots."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from admin.console.deps import Console
from admin.console.forms import Form
from admin.console.messages import ANOMALY_KINDS, REVIEW_ACTIONS
from admin.staff import REVIEW_ROLES
from budgets import integrity, rounds
from budgets.records import RoundRecord
from core.clock import database_now
from infra.errors import DomainError, NotFound
from infra.i18n import N_

FIELDS = ("action", "reason")
# The anomaly whose ballots the page shows; a review goes back to it.
Shown = Annotated[int | None, QueryParameter(ge=1, le=2**62)]


class IntegrityPages(Controller):
    path = "/console/rounds/{round_id:int}"
    include_in_schema = False

    @get("/integrity")
    async def integrity(self, console: NamedDependency[Console], round_id: FromPath[int],
                        anomaly: Shown = None) -> Template:
        round_ = await console.round(round_id, REVIEW_ROLES)
        return await _page(console, round_, anomaly, Form({}, FIELDS), None)

    @post("/ballots/{ballot_id:int}/review")
    async def review(self, console: NamedDependency[Console], round_id: FromPath[int], ballot_id: FromPath[int],
                     data: URLEncodedBody[dict[str, Any]], anomaly: Shown = None) -> Template | Redirect:
        round_ = await console.round(round_id, REVIEW_ROLES)
        form = Form.of(data, FIELDS)
        try:
            reviewed = await integrity.review_ballot(console.actor, round_id, ballot_id, form.text("action"),
                                                     form.text("reason"))
        except DomainError as exc:
            form.refuse(exc)
            return await _page(console, round_, anomaly, form, ballot_id, 422)
        await console.confirm(N_("Ballot %(ballot)s is now %(status)s."), ballot=ballot_id,
                              status=console._(reviewed["status"]))
        shown = f"?anomaly={anomaly}" if anomaly else ""
        return Redirect(f"/console/rounds/{round_id}/integrity{shown}#ballot-{ballot_id}", status_code=303)


async def _page(console: Console, round_: RoundRecord, shown: int | None, form: Form, refused: int | None,
                status_code: int = 200) -> Template:
    """The round's anomalies, newest first, and the ballots of the one shown with a review form each (that of
    the `refused` ballot filled with `form` and its errors)."""
    items = [{**item, "ballots": integrity.ballots_involved(item)[0]}
             for item in reversed(await integrity.anomalies(round_.id))]
    selected = next((item for item in items if item["id"] == shown), None)
    if shown is not None and selected is None:
        raise NotFound(f"Round {round_.id} has no anomaly {shown}.")
    listed = integrity.ballots_involved(selected)[1] if selected else []
    ballots = await integrity.ballots_for_review(round_.id, listed) if listed else []
    for ballot in ballots:
        ballot["options"] = [(action, console._(REVIEW_ACTIONS[action])) for action in ballot["actions"]]
    status = rounds.effective_status(round_, await database_now())
    return console.page("integrity.html.jinja", status_code, round=round_, status=status, items=items,
                        selected=selected, ballots=ballots, form=form, refused=refused, blank=Form({}, FIELDS),
                        kinds=ANOMALY_KINDS, min_reason=integrity.MIN_REASON, max_reason=integrity.MAX_REASON)
