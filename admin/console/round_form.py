"""The round editor's form: from a round to what the inputs show, and from what was typed to a draft."""

from __future__ import annotations

from typing import Any

from admin.console.forms import Form
from admin.console.i18n import local_input
from budgets import rounds
from budgets.ballots import VoteRules
from budgets.records import RoundRecord
from infra.errors import RuleBroken

FIELDS = ("region", "title", "description", "budget", "rule", "min_age", "method", "min_choices", "max_choices",
          "max_cost", "points_total", "voting_opens_at", "voting_closes_at", "auto_publish", "min_project_score",
          "ideas_opens_at", "ideas_closes_at")
# The ideas phase is optional: both inputs empty means none.
IDEAS_PHASE = ("ideas_opens_at", "ideas_closes_at")
METHODS = ("approval", "knapsack", "points")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def values_of(round_: RoundRecord) -> dict[str, str]:
    vote = round_.vote
    values = {
        "region": round_.region, "budget": _text(round_.budget), "rule": round_.rule,
        "min_age": _text(round_.min_age), "method": vote.method,
        "min_choices": _text(vote.min_choices), "max_choices": _text(vote.max_choices),
        "max_cost": _text(vote.max_cost), "points_total": _text(vote.points_total),
        "voting_opens_at": local_input(round_.voting_opens_at),
        "voting_closes_at": local_input(round_.voting_closes_at),
        "auto_publish": "on" if round_.auto_publish else "",
        "min_project_score": _text(round_.min_project_score),
        **{name: local_input(getattr(round_, name)) if getattr(round_, name) else "" for name in IDEAS_PHASE},
    }
    for name in ("title", "description"):
        for lang, text in getattr(round_, name).items():
            values[f"{name}_{lang}"] = text
    return values


def new_round_values(region: str) -> dict[str, str]:
    return {"region": region, "rule": "greedy", "min_age": "18", "method": "approval", "min_choices": "1",
            "max_choices": "3", "auto_publish": "on"}


def read_texts(form: Form) -> tuple[dict[str, str], dict[str, str]]:
    """The title and description, checked by the domain's own text rule."""
    texts = {}
    for name, required in (("title", True), ("description", False)):
        try:
            texts[name] = rounds.check_text(name, form.texts(name), required=required)
        except RuleBroken as exc:
            form.refuse(exc)
            texts[name] = {}
    return texts["title"], texts["description"]


def read_draft(form: Form, region: str) -> rounds.RoundDraft | None:
    """A draft from the typed values, or None when some value is not even a number or a time."""
    title, description = read_texts(form)
    vote = VoteRules(form.text("method"), form.integer("min_choices", False), form.integer("max_choices", False),
                     form.integer("max_cost", False), form.integer("points_total", False))
    budget, min_age = form.integer("budget"), form.integer("min_age")
    opens, closes = form.time("voting_opens_at"), form.time("voting_closes_at")
    min_project_score = form.integer("min_project_score", False)
    ideas_opens, ideas_closes = (form.time(name) if form.text(name) else None for name in IDEAS_PHASE)
    if budget is None or min_age is None or opens is None or closes is None or any(
            form.text(name) and form.errors.get(name) for name in IDEAS_PHASE):
        return None
    return rounds.RoundDraft(region=region, title=title or {"ru": "-"}, description=description, budget=budget,
                             rule=form.text("rule"), min_age=min_age, vote=vote, voting_opens_at=opens,
                             voting_closes_at=closes, auto_publish=form.flag("auto_publish"),
                             min_project_score=min_project_score, ideas_opens_at=ideas_opens,
                             ideas_closes_at=ideas_closes)


def changes_of(form: Form, draft: rounds.RoundDraft, current: RoundRecord) -> dict[str, Any]:
    """Only what the person changed: once voting opened, the domain refuses changes to frozen fields."""
    shown = values_of(current)
    changes: dict[str, Any] = {}
    if draft.title != current.title:
        changes["title"] = draft.title
    if draft.description != current.description:
        changes["description"] = draft.description
    for name in ("budget", "rule", "min_age", "min_project_score", "auto_publish"):
        if getattr(draft, name) != getattr(current, name):
            changes[name] = getattr(draft, name)
    if draft.vote != current.vote:
        changes["vote"] = draft.vote
    for name in ("voting_opens_at", "voting_closes_at", *IDEAS_PHASE):
        # Inputs show minutes: an unchanged input must not move a time by its seconds.
        if form.text(name) != shown[name]:
            changes[name] = getattr(draft, name)
    return changes
