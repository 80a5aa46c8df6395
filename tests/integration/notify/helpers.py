"""Steps the notification tests share: a resident's id, following, driving a round, reading the SMS outbox."""

from __future__ import annotations

import json
from pathlib import Path

from budgets.closing import advance_rounds
from infra.settings import get_settings
from infra.sms import make_sender
from notify import worker
from tests.helpers import open_now, round_with_projects, staff_headers

ALMATY, ALMALY = "750000000", "751110000"


async def resident_id(client, person: dict) -> int:
    return (await client.get("/api/v1/me", headers=person["headers"])).json()["id"]


async def run_worker() -> None:
    settings = get_settings()
    await worker.run_once(make_sender(settings.sms_backend), settings)


def texts_to(outbox: Path, phone: str, needle: str) -> list[str]:
    """The texts sent to `phone` that contain `needle` (sign-in codes share the outbox)."""
    lines = outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []
    return [m["text"] for m in map(json.loads, lines) if m["to"] == phone and needle in m["text"]]


async def voting_round(client, email: str) -> tuple[dict, int, list[int]]:
    """A round of Almaly with two projects, taking votes; the announcement of its opening is delivered."""
    staff = await staff_headers(client, email, "Notify-pass-2026", ALMATY)
    round_id, projects = await round_with_projects(client, staff, [10_000_000, 20_000_000], region=ALMALY)
    await open_now(round_id)
    await advance_rounds(60)
    await run_worker()
    return staff, round_id, projects


async def publish(client, staff: dict, round_id: int) -> None:
    assert (await client.post(f"/api/v1/admin/rounds/{round_id}/close", headers=staff)).status_code == 200
    await advance_rounds(60)
