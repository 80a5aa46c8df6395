"""A resident's notification preferences: language, channels, quiet hours (Kazakhstan time)."""

from __future__ import annotations

from dataclasses import dataclass

from core.tables import Resident
from infra.database import write_transaction
from infra.errors import FieldError, RuleBroken
from notify import rules
from notify.tables import Preference


@dataclass(frozen=True)
class Preferences:
    language: str
    sms: bool
    push: bool
    # "HH:MM" in Kazakhstan time, both or neither.
    quiet_from: str | None
    quiet_to: str | None


async def get_preferences(resident_id: int) -> Preferences:
    row = await Preference.select().where(Preference.resident == resident_id).first()
    if row is None:
        # No row yet: the language the resident signed in with, every channel, no quiet hours.
        resident = await Resident.select(Resident.language).where(Resident.id == resident_id).first()
        return Preferences(resident["language"] if resident else "ru", True, True, None, None)
    return Preferences(row["language"], bool(row["sms"]), bool(row["push"]),
                       None if row["quiet_from"] is None else rules.format_time(row["quiet_from"]),
                       None if row["quiet_to"] is None else rules.format_time(row["quiet_to"]))


async def adopt_language(resident_id: int, language: str) -> None:
    """Keep the language a resident signed in with as their notifications' language, unless they have chosen
    (a preference row exists): a resident who signed in on the Kazakh site hears in Kazakh from then on."""
    async with write_transaction():
        await Preference.insert(Preference(resident=resident_id, language=rules.check_language(language),
                                           sms=True, push=True, sms_count=0)
                                ).on_conflict(target=Preference.resident, action="DO NOTHING")


async def set_preferences(resident_id: int, wanted: Preferences) -> Preferences:
    """Replace the preferences; RuleBroken (422) for an unknown language or a malformed or empty window."""
    language = rules.check_language(wanted.language)
    if (wanted.quiet_from is None) != (wanted.quiet_to is None):
        raise RuleBroken("Quiet hours need both from and to, or neither.", [FieldError("quiet_hours", "incomplete")])
    quiet_from = quiet_to = None
    if wanted.quiet_from is not None:
        quiet_from = rules.parse_time(wanted.quiet_from, "quiet_hours.from")
        quiet_to = rules.parse_time(wanted.quiet_to, "quiet_hours.to")
        if quiet_from == quiet_to:
            raise RuleBroken("Quiet hours must not start and end at the same time.",
                             [FieldError("quiet_hours", "from equals to")])
    values = {Preference.language: language, Preference.sms: wanted.sms, Preference.push: wanted.push,
              Preference.quiet_from: quiet_from, Preference.quiet_to: quiet_to}
    async with write_transaction():
        # The row also carries the day's SMS count, which a replacement must keep.
        await Preference.insert(Preference(resident=resident_id, sms_count=0,
                                           **{column._meta.name: value for column, value in values.items()})
                                ).on_conflict(target=Preference.resident, action="DO UPDATE",
                                              values=list(values))
    return await get_preferences(resident_id)
