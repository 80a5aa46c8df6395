"""Steps that many tests take: signing in, proving residency, running a round through its life."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from budgets.ballots import VoteRules
from budgets.records import RoundRecord
from core.iin import synthetic_iin

# A random start per run: phones of two runs sharing one machine's services do not collide.
_phones = itertools.count(random.randrange(1_000_000, 9_000_000, 1000))
# The next serial (digits 8-11) to try for each birth date and sex: an IIN has 10,000 serials for them.
_serials: dict[tuple[date, bool], Iterator[int]] = {}


def new_phone() -> str:
    return f"+7701{next(_phones):07d}"


def make_iin(born: date, male: bool = True) -> str:
    """A valid IIN for a person born on `born`, different on every call.

    It ends: each serial of the birth date and sex is tried once, and when they run out (or a broken
    `synthetic_iin` gives no number) the test fails instead of looping."""
    serials = _serials.setdefault((born, male), iter(range(1001, 10_000)))
    for serial in serials:
        iin = synthetic_iin(born, male, serial)
        if iin:
            return iin
    raise AssertionError(f"no IIN left for a {'man' if male else 'woman'} born on {born}")


def last_code(outbox: Path, phone: str) -> str:
    for line in reversed(outbox.read_text(encoding="utf-8").splitlines()):
        message = json.loads(line)
        if message["to"] == phone:
            return re.search(r"\b(\d{6})\b", message["text"]).group(1)
    raise AssertionError(f"no SMS to {phone}")


async def sign_in(client, outbox: Path, phone: str | None = None) -> dict:
    phone = phone or new_phone()
    sent = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    answer = await client.post("/api/v1/auth/token", json={"phone": phone, "code": last_code(outbox, phone)})
    assert answer.status_code == 200, answer.text
    return {"phone": phone, **answer.json()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def resident(client, outbox: Path, region: str = "751110000", born: date = date(1990, 5, 17)) -> dict:
    """A signed-in resident registered in `region`; returns its tokens and headers."""
    tokens = await sign_in(client, outbox)
    headers = bearer(tokens["access_token"])
    answer = await client.put("/api/v1/me/residency", json={"iin": make_iin(born), "region": region},
                              headers=headers)
    assert answer.status_code == 200, answer.text
    return {**tokens, "headers": headers}


async def staff_headers(client, email: str, password: str, region: str, role: str = "admin") -> dict[str, str]:
    from admin.staff import create_staff
    from admin.tables import Staff

    if not await Staff.exists().where(Staff.email == email):
        await create_staff("test", email, password, region, role)
    answer = await client.post("/api/v1/admin/session", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


def round_body(region: str = "751110000", **overrides) -> dict:
    now = datetime.now(UTC)
    body = {
        "region": region,
        "title": {"ru": "Бюджет участия", "kk": "Қатысу бюджеті"},
        "budget": 50_000_000,
        "rule": "greedy",
        "min_age": 18,
        "vote": {"method": "approval", "min_choices": 1, "max_choices": 3},
        "voting_opens_at": (now + timedelta(hours=1)).isoformat(),
        "voting_closes_at": (now + timedelta(days=7)).isoformat(),
        "auto_publish": True,
    }
    body.update(overrides)
    return body


async def open_now(round_id: int) -> None:
    """Move a round's opening to now, as if the clock had reached it."""
    from budgets.tables import Round

    await Round.update({Round.voting_opens_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Round.id == round_id
    )


async def round_with_projects(client, headers, costs: list[int], **overrides) -> tuple[int, list[int]]:
    created = await client.post("/api/v1/admin/rounds", json=round_body(**overrides), headers=headers)
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    project_ids = []
    for number, cost in enumerate(costs, start=1):
        answer = await client.post(
            f"/api/v1/admin/rounds/{round_id}/projects",
            json={"title": {"ru": f"Проект {number}", "kk": f"Жоба {number}"}, "cost": cost},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        project_ids.append(answer.json()["id"])
    return round_id, project_ids


def photo_bytes(kind: str = "PNG", size: tuple[int, int] = (8, 6), exif: bytes | None = None) -> bytes:
    """A small real image (PNG, JPEG or WEBP), optionally with an EXIF block, as a phone would send."""
    import io

    from PIL import Image

    out = io.BytesIO()
    options = {"exif": exif} if exif else {}
    Image.new("RGB", size, (200, 40, 40)).save(out, format=kind, **options)
    return out.getvalue()


def round_record(**overrides) -> RoundRecord:
    """A round as budgets.records reads it, for tests of pure rules: an approval round of Almaty voting now."""
    opens = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)
    values = {"id": 41, "region": "751110000", "title": {"ru": "Бюджет"}, "description": {}, "budget": 100,
              "rule": "greedy", "min_age": 18, "vote": VoteRules("approval", 1, 3, None, None),
              "min_project_score": None, "voting_opens_at": opens, "voting_closes_at": opens + timedelta(days=7),
              "auto_publish": True, "ideas_opens_at": None, "ideas_closes_at": None, "status": "voting",
              "closed_at": None, "tallied_at": None, "published_at": None, "created_at": opens - timedelta(days=1)}
    return RoundRecord(**{**values, **overrides})
