"""What an initiative's life tells residents, through the notifications outbox (notify.outbox.emit).

Each function runs inside the transaction of the change it announces. The audience is the initiative's
followers: its author follows it from filing and every signer from signing (notify.follows.follow_within),
so an answer or an expiry reaches everyone who signed, on the channels they allow.
"""

from __future__ import annotations

from notify.outbox import Audience, emit


async def announce(kind: str, initiative: dict) -> None:
    """`kind` is one of notify.templates' initiative kinds; `initiative` a row with id, region, title, language."""
    await emit(f"initiative.{kind}", ("initiative", initiative["id"]),
               Audience((("initiative", str(initiative["id"])),)),
               {"initiative_id": initiative["id"], "title": {initiative["language"]: initiative["title"]}},
               region=initiative["region"])
