"""The audit log as a clerk reads it: what changed (old → new, changed fields only), who did it and to what,
by name, and the log's filters read from the page's query with a message beside each bad one.

The entries themselves stay as core.audit stores and hashes them; this module only reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from admin.console.i18n import Formats, parse_local
from admin.console.messages import AUDIT_ACTIONS, AUDIT_FIELDS, AUDIT_KINDS, AUDIT_REFUSALS
from admin.tables import Staff
from budgets.tables import Project, Round
from core.audit import SCHEDULER, AuditFilter
from infra.i18n import N_

LANGS = ("kk", "ru", "en")
# Values that name a region or a rule by their code in the stored entry.
REGION_FIELDS = ("region", "staff_region", "parent", "added", "renamed", "moved")
WORDS = ("role", "status", "method", "vote_method")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
TARGET = re.compile(r"^(?:(round|project|staff|idea|initiative|ballot|resident|region):(\d{1,18})|regions)$")
ACTOR = re.compile(r"^(?:scheduler|(?:staff|resident):\d{1,18})$")
MAX_FILTER = 254
# Fields shown at once in an entry; the rest (a created round has about twenty) fold away, and long values are
# cut to a line (in the template; the whole value is its title), so that each entry stays a few lines tall.
SHOWN = 3


@dataclass(frozen=True)
class Change:
    field: str  # dotted for nested values: "title.ru", "vote.max_choices"
    old: Any
    new: Any


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flat(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value} if prefix else {}


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Change]:
    """The fields whose values differ between `before` and `after`, in the order the entry gives them (a new
    thing has no before: every field is a change from nothing)."""
    old, new = _flat(dict(before or {})), _flat(dict(after or {}))
    return [Change(name, old.get(name), new.get(name)) for name in dict.fromkeys([*new, *old])
            if old.get(name) != new.get(name)]


@dataclass
class Filters:
    """The log's filters as typed, what they mean for core.audit.search, and what was wrong with them."""

    values: dict[str, str]
    where: AuditFilter = field(default_factory=AuditFilter)
    before: int | None = None
    after: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""

    def link(self, **cursor: int) -> str:
        """This page's filters with another cursor (older or newer entries)."""
        return "?" + urlencode({**{k: v for k, v in self.values.items() if v}, **cursor})


def _cursor(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 18 else None


async def read_filters(query: Mapping[str, str]) -> Filters:
    """Filters from the page's query: an actor (an e-mail, staff:N, resident:N or scheduler), an action from
    the list, a target (round:12, region:751110000, ...), a day range in Kazakhstan time, and a cursor."""
    names = ("actor", "action", "target", "since", "until")
    found = Filters({name: (query.get(name) or "").strip() for name in names})
    values, errors = found.values, found.errors
    for name in names:
        if len(values[name]) > MAX_FILTER:
            errors[name] = N_("too long")
    actor = values["actor"]
    if actor and "actor" not in errors and not ACTOR.match(actor):
        row = await Staff.select(Staff.id).where(Staff.email == actor.lower()).first() if "@" in actor else None
        if row is None:
            errors["actor"] = N_("Enter a staff member's e-mail, staff:N, resident:N or scheduler.")
        else:
            actor = f"staff:{row['id']}"
    if values["action"] and values["action"] not in AUDIT_ACTIONS:
        errors["action"] = N_("Choose an action from the list.")
    if values["target"] and "target" not in errors and not TARGET.match(values["target"]):
        errors["target"] = N_("Write the target as round:12, project:5, staff:3, idea:7, initiative:2 or "
                              "region:751110000.")
    days = {}
    for name in ("since", "until"):
        if values[name] and name not in errors:
            days[name] = parse_local(values[name] + "T00:00") if len(values[name]) == 10 else None
            if days[name] is None:
                errors[name] = N_("Enter a date.")
    if days.get("since") and days.get("until") and days["since"] > days["until"]:
        errors["until"] = N_("must not be before the start date")
    for name in ("before", "after"):
        text = (query.get(name) or "").strip()
        if text and _cursor(text) is None:
            found.message = N_("This page link is broken: the newest entries are shown.")
    if not errors:
        until = days.get("until")
        found.where = AuditFilter(values["action"], actor, values["target"], days.get("since"),
                                  until + timedelta(days=1) if until else None)
        found.before = _cursor((query.get("before") or "").strip())
        found.after = None if found.before else _cursor((query.get("after") or "").strip())
    return found


class EntryView:
    """How one page of entries reads: names for actors and targets (looked up once for the page), labels for
    actions and fields, and values in the member's language (times in Kazakhstan time, regions by name)."""

    def __init__(self, fmt: Formats, gettext: Callable[[str], str], names: Mapping[str, tuple[str, str | None]]):
        self.fmt, self._, self.names = fmt, gettext, names

    def time(self, at: str) -> str:
        return self.fmt.time(datetime.fromisoformat(at))

    def action(self, action: str) -> str:
        return self._(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action

    def who(self, actor: str) -> str:
        if actor == SCHEDULER:
            return self._("Scheduler")
        return self.names.get(actor, (self._thing(actor), None))[0]

    def what(self, target: str) -> tuple[str, str | None]:
        """The target's name and the console page that shows it (None when there is none)."""
        return self.names.get(target) or (self._thing(target), None)

    def _thing(self, reference: str) -> str:
        kind, _, key = reference.partition(":")
        if kind == "region":
            return self.fmt.region(key)
        if kind in AUDIT_KINDS and key:
            return self._(AUDIT_KINDS[kind]) % {"number": key}
        return self._("Regions") if reference == "regions" else reference

    def changes(self, entry: Mapping[str, Any]) -> tuple[list[Change], list[Change]]:
        """The entry's changes: those shown at once and those folded away."""
        found = changes(entry["before"], entry["after"])
        return found[:SHOWN], found[SHOWN:]

    def label(self, name: str) -> str:
        parts = name.split(".")
        language = parts.pop() if len(parts) > 1 and parts[-1] in LANGS else None
        label = " · ".join(self._(AUDIT_FIELDS[p]) if p in AUDIT_FIELDS else p.replace("_", " ") for p in parts)
        return f"{label} ({language})" if language else label

    def value(self, name: str, value: Any) -> str:
        last = name.rsplit(".", 1)[-1]
        if value is None or value in ("", [], {}):
            return "—"
        if isinstance(value, bool):
            return self._("yes") if value else self._("no")
        if isinstance(value, int | float):
            return self.fmt.number(value)
        if isinstance(value, list | tuple):
            return ", ".join(self.value(name, item) for item in value)
        if isinstance(value, dict):
            return ", ".join(f"{self.label(k)}: {self.value(k, v)}" for k, v in value.items())
        text = str(value)
        if last in REGION_FIELDS:
            return self.fmt.region(text)
        if last == "rule":
            return self.fmt.rule(text)
        if last in WORDS:
            return self._(text)
        if last == "reason" and text in AUDIT_REFUSALS:
            return self._(AUDIT_REFUSALS[text])
        if TIMESTAMP.match(text):
            try:
                return self.fmt.time(datetime.fromisoformat(text))
            except ValueError:
                return text
        return text


async def names_of(references: Iterable[str], fmt: Formats) -> dict[str, tuple[str, str | None]]:
    """Names and console pages of the rounds, projects and staff accounts among actors and targets, in one
    query per kind; anything else is named by its kind and number (EntryView._thing)."""
    ids: dict[str, set[int]] = {"round": set(), "project": set(), "staff": set()}
    for reference in references:
        kind, _, key = reference.partition(":")
        if kind in ids and key.isdigit() and len(key) <= 18:
            ids[kind].add(int(key))
    names: dict[str, tuple[str, str | None]] = {}
    if ids["round"]:
        for row in await Round.select(Round.id, Round.title).where(Round.id.is_in(list(ids["round"]))).output(
                load_json=True):
            names[f"round:{row['id']}"] = (fmt.text(row["title"]), f"/console/rounds/{row['id']}")
    if ids["project"]:
        for row in await Project.select(Project.id, Project.round, Project.title).where(
                Project.id.is_in(list(ids["project"]))).output(load_json=True):
            names[f"project:{row['id']}"] = (fmt.text(row["title"]), f"/console/rounds/{row['round']}")
    if ids["staff"]:
        for row in await Staff.select(Staff.id, Staff.email).where(Staff.id.is_in(list(ids["staff"]))):
            names[f"staff:{row['id']}"] = (row["email"], None)
    return names
