"""Editing an audit entry behind Dauys's back is found: `dauys audit verify` names the entry."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from core.tables import AuditEntry
from infra.database import is_postgres
from tests.helpers import round_body, staff_headers

SQLITE_TRIGGER = ("CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
                  "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE refused'); END")


async def verify() -> subprocess.CompletedProcess:
    dauys = Path(sys.executable).with_name("dauys")
    return await asyncio.to_thread(subprocess.run, [str(dauys), "audit", "verify"], capture_output=True, text=True,
                                   env=dict(os.environ), timeout=60)


async def update_bypassing_trigger(entry_id: int, actor: str) -> None:
    """What only someone with the database's owner rights can do: switch the guard off, edit, switch it on."""
    if is_postgres():
        await AuditEntry.raw("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        await AuditEntry.raw("UPDATE audit_entry SET actor = {} WHERE id = {}", actor, entry_id)
        await AuditEntry.raw("ALTER TABLE audit_entry ENABLE TRIGGER USER")
    else:
        await AuditEntry.raw("DROP TRIGGER audit_entry_no_update")
        await AuditEntry.raw("UPDATE audit_entry SET actor = {} WHERE id = {}", actor, entry_id)
        await AuditEntry.raw(SQLITE_TRIGGER)


async def test_the_database_refuses_edits(client):
    headers = await staff_headers(client, "tamper@akimat.kz", "tamper-pass-1", "751110000")
    assert (await client.post("/api/v1/admin/rounds", json=round_body(), headers=headers)).status_code == 201
    last = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id, ascending=False).first()
    try:
        await AuditEntry.raw("UPDATE audit_entry SET actor = 'x' WHERE id = {}", last["id"])
    except Exception as exc:  # both engines raise their own error type
        assert "append-only" in str(exc)
    else:
        raise AssertionError("the audit table accepted an UPDATE")


async def test_verify_names_the_tampered_entry(client):
    headers = await staff_headers(client, "tamper@akimat.kz", "tamper-pass-1", "751110000")
    assert (await client.post("/api/v1/admin/rounds", json=round_body(), headers=headers)).status_code == 201
    intact = await verify()
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("audit chain ok:")

    entry = await AuditEntry.select(AuditEntry.id, AuditEntry.actor).where(
        AuditEntry.action == "round.create").order_by(AuditEntry.id, ascending=False).first()
    await update_bypassing_trigger(entry["id"], "staff:999")
    try:
        broken = await verify()
        assert broken.returncode == 1
        assert f"audit chain broken at entry {entry['id']}:" in broken.stderr
        assert "does not match its hash" in broken.stderr
    finally:
        # Put the entry back, so the rest of the suite sees an intact chain.
        await update_bypassing_trigger(entry["id"], entry["actor"])
    assert (await verify()).returncode == 0
