"""The integrity page of the console: a round's anomalies, and the review of their ballots with a reason."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from admin.tables import Staff
from budgets import integrity
from budgets.integrity import WINDOW, window_of
from budgets.tables import Anomaly, Ballot
from core.tables import AuditEntry
from tests.helpers import open_now, resident, round_with_projects, staff_headers
from tests.integration.admin.console_helpers import console_sign_in

ALMALY, ESIL = "751110000", "711110000"
PASSWORD = "integrity-pass-1"
REASON = "Checked: 120 voters on one phone within five minutes."


async def round_with_burst(client, outbox, email: str) -> tuple[int, list[int]]:
    """A voting round with one resident's ballot and a scripted burst of 120 from one device and address."""
    staff = await staff_headers(client, email, PASSWORD, ALMALY)
    round_id, projects = await round_with_projects(client, staff, [10, 20], region=ALMALY)
    await open_now(round_id)
    who = await resident(client, outbox, ALMALY)
    cast = await client.put(f"/api/v1/rounds/{round_id}/ballot", json={"choices": [{"project_id": projects[0]}]},
                            headers=who["headers"])
    assert cast.status_code == 200, cast.text
    current = window_of(datetime.now(UTC)) - WINDOW
    await Ballot.insert(*[
        Ballot(round=round_id, voter=f"stuffed-{round_id}-{i}", revision=1, receipt=f"burst-{round_id}-{i}",
               choices=[[projects[0], 1]], cast_at=current + timedelta(seconds=i % 290), status="counted",
               device="same-phone", origin="one-address") for i in range(120)
    ])
    await integrity.detect_anomalies()
    burst = await Ballot.select(Ballot.id).where(Ballot.receipt.like(f"burst-{round_id}-%")).order_by(Ballot.id)
    return round_id, [row["id"] for row in burst]


async def anomaly_of(round_id: int, kind: str) -> int:
    return (await Anomaly.select(Anomaly.id).where((Anomaly.round == round_id) & (Anomaly.kind == kind)).first())["id"]


async def status_of(ballot_id: int) -> str:
    return (await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first())["status"]


async def test_the_page_lists_a_rounds_anomalies_newest_first_with_their_ballots(client, outbox):
    round_id, burst = await round_with_burst(client, outbox, "integrity-list@almaly.kz")
    # An older finding, a day before the burst: listed after it.
    day = window_of(datetime.now(UTC)) - timedelta(days=1)
    await Anomaly.insert(Anomaly(round=round_id, kind="recount_mismatch", subject="round", window_start=day,
                                 window_end=day + WINDOW, detail={"stored_voters": 3, "recounted_voters": 2},
                                 detected_at=day))
    await Staff.update({Staff.language: "en"}).where(Staff.email == "integrity-list@almaly.kz")
    session = await console_sign_in(client, "integrity-list@almaly.kz", PASSWORD)

    round_page = await session.get(f"/console/rounds/{round_id}")
    assert f'href="/console/rounds/{round_id}/integrity"' in round_page.text
    page = await session.get(f"/console/rounds/{round_id}/integrity")
    assert page.status_code == 200
    rows = re.findall(r'<tr id="anomaly-(\d+)"', page.text)
    kinds = [(await Anomaly.select(Anomaly.kind).where(Anomaly.id == int(i)).first())["kind"] for i in rows]
    assert set(kinds[:-1]) == {"surge", "device_cluster", "address_cluster"} and kinds[-1] == "recount_mismatch"
    for label in ("Surge", "Many voters on one device", "Many voters from one address", "same-phone", "one-address"):
        assert label in page.text

    device = await anomaly_of(round_id, "device_cluster")
    listed = await session.get(f"/console/rounds/{round_id}/integrity?anomaly={device}")
    assert re.findall(r'<tr id="ballot-(\d+)"', listed.text) == [str(b) for b in burst]
    assert hashlib.sha256(f"burst-{round_id}-0".encode()).hexdigest() in listed.text
    assert listed.text.count('name="_csrf_token"') >= 120
    # Staff see when and from which (hashed) source, never the voter's pseudonym or the receipt itself.
    assert "stuffed-" not in listed.text and f"burst-{round_id}-0" not in listed.text
    assert (await session.get(f"/console/rounds/{round_id}/integrity?anomaly=999999999")).status_code == 404


async def test_a_review_without_a_reason_is_refused_beside_the_field(client, outbox):
    round_id, burst = await round_with_burst(client, outbox, "integrity-reason@almaly.kz")
    session = await console_sign_in(client, "integrity-reason@almaly.kz", PASSWORD)
    device = await anomaly_of(round_id, "device_cluster")
    page = f"/console/rounds/{round_id}/integrity?anomaly={device}"
    before = await AuditEntry.count().where(AuditEntry.target == f"ballot:{burst[0]}")
    for reason in ("", "short"):
        answer = await session.post(f"/console/rounds/{round_id}/ballots/{burst[0]}/review?anomaly={device}",
                                    {"action": "quarantine", "reason": reason}, form_page=page)
        assert answer.status_code == 422
        assert f'id="reason-{burst[0]}-error"' in answer.text and 'aria-invalid="true"' in answer.text
        assert "слишком коротко" in answer.text  # the member reads Russian
    assert await status_of(burst[0]) == "counted"
    assert await AuditEntry.count().where(AuditEntry.target == f"ballot:{burst[0]}") == before


async def test_a_review_with_a_reason_changes_the_ballot_and_is_published(client, outbox):
    round_id, burst = await round_with_burst(client, outbox, "integrity-review@almaly.kz")
    member = await Staff.select(Staff.id).where(Staff.email == "integrity-review@almaly.kz").first()
    session = await console_sign_in(client, "integrity-review@almaly.kz", PASSWORD)
    device = await anomaly_of(round_id, "device_cluster")
    page = f"/console/rounds/{round_id}/integrity?anomaly={device}"
    answer = await session.post(f"/console/rounds/{round_id}/ballots/{burst[0]}/review?anomaly={device}",
                                {"action": "quarantine", "reason": REASON}, form_page=page)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{page}#ballot-{burst[0]}"
    assert await status_of(burst[0]) == "quarantined"
    entry = await AuditEntry.select().where(AuditEntry.target == f"ballot:{burst[0]}").first()
    assert entry["action"] == "ballot.quarantine" and entry["actor"] == f"staff:{member['id']}"

    shown = await session.get(page)
    assert f"Бюллетень {burst[0]} теперь на карантине." in shown.text
    row = shown.text.split(f'<tr id="ballot-{burst[0]}"')[1].split("</tr>")[0]
    assert 'class="status quarantined"' in row and REASON in row
    assert 'value="release"' in row and 'value="quarantine"' not in row
    # The confirmation is shown once.
    assert "теперь на карантине" not in (await session.get(page)).text

    public = (await client.get(f"/api/v1/rounds/{round_id}/invalidations")).json()
    assert [(item["receipt_hash"], item["status"], item["reason"]) for item in public] == [
        (hashlib.sha256(f"burst-{round_id}-0".encode()).hexdigest(), "quarantined", REASON)]


async def test_staff_of_another_region_or_role_are_refused(client, outbox):
    round_id, burst = await round_with_burst(client, outbox, "integrity-own@almaly.kz")
    await staff_headers(client, "integrity-other@esil.kz", PASSWORD, ESIL)
    await staff_headers(client, "integrity-delivery@almaly.kz", PASSWORD, ALMALY, role="delivery")
    for email in ("integrity-other@esil.kz", "integrity-delivery@almaly.kz"):
        session = await console_sign_in(client, email, PASSWORD)
        denied = await AuditEntry.count().where(AuditEntry.action == "access.denied")
        page = await session.get(f"/console/rounds/{round_id}/integrity")
        assert page.status_code == 403 and "same-phone" not in page.text
        review = await session.post(f"/console/rounds/{round_id}/ballots/{burst[0]}/review",
                                    {"action": "invalidate", "reason": REASON}, form_page="/console")
        assert review.status_code == 403
        assert await AuditEntry.count().where(AuditEntry.action == "access.denied") == denied + 2
    delivery = await console_sign_in(client, "integrity-delivery@almaly.kz", PASSWORD)
    assert "/integrity" not in (await delivery.get(f"/console/rounds/{round_id}")).text
    assert await status_of(burst[0]) == "counted"


async def test_a_review_needs_the_csrf_token(client, outbox):
    round_id, burst = await round_with_burst(client, outbox, "integrity-csrf@almaly.kz")
    session = await console_sign_in(client, "integrity-csrf@almaly.kz", PASSWORD)
    answer = await session._send("POST", f"/console/rounds/{round_id}/ballots/{burst[0]}/review",
                                 data={"action": "invalidate", "reason": REASON})
    assert answer.status_code == 403 and "text/html" in answer.headers["content-type"]
    assert await status_of(burst[0]) == "counted"
