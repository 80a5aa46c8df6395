"""Editing an audit entry behind Dauys's back is found: `dauys audit verify` names the entry."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.tables import AuditEntry
from infra.database import is_postgres
from tests.helpers import round_body, staff_headers

SQLITE_TRIGGERS = {
    verb: (f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
           f"BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: {verb} refused'); END")
    for verb in ("UPDATE", "DELETE")
}


async def verify() -> subprocess.CompletedProcess:
    dauys = Path(sys.executable).with_name("dauys")
    return await asyncio.to_thread(subprocess.run, [str(dauys), "audit", "verify"], capture_output=True, text=True,
                                   env=dict(os.environ), timeout=60)


async def bypassing_trigger(verb: str, statement: str, *values) -> None:
    """What only someone with the database's owner rights can do: switch the guard off, act, switch it on."""
    if is_postgres():
        await AuditEntry.raw("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        await AuditEntry.raw(statement, *values)
        await AuditEntry.raw("ALTER TABLE audit_entry ENABLE TRIGGER USER")
    else:
        await AuditEntry.raw(f"DROP TRIGGER audit_entry_no_{verb.lower()}")
        await AuditEntry.raw(statement, *values)
        await AuditEntry.raw(SQLITE_TRIGGERS[verb])


async def update_bypassing_trigger(entry_id: int, actor: str) -> None:
    await bypassing_trigger("UPDATE", "UPDATE audit_entry SET actor = {} WHERE id = {}", actor, entry_id)


# SQLite has no TRUNCATE: a DELETE without WHERE is its way to empty a table.
REMOVALS = {
    "UPDATE": "UPDATE audit_entry SET actor = 'x' WHERE id = {}",
    "DELETE": "DELETE FROM audit_entry WHERE id = {}",
    "TRUNCATE": "TRUNCATE audit_entry",
    "DELETE everything": "DELETE FROM audit_entry",
}


async def audited_round(client) -> int:
    """Create a round, so that the log has an entry to reach for; the newest entry's id."""
    headers = await staff_headers(client, "tamper@akimat.kz", "tamper-pass-1", "751110000")
    assert (await client.post("/api/v1/admin/rounds", json=round_body(), headers=headers)).status_code == 201
    last = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id, ascending=False).first()
    return last["id"]


@pytest.mark.parametrize("statement", sorted(REMOVALS))
async def test_the_database_refuses_to_change_or_remove_entries(client, statement):
    if statement == "TRUNCATE" and not is_postgres():
        pytest.skip("SQLite has no TRUNCATE; 'DELETE everything' is its equivalent")
    last = await audited_round(client)
    before = await AuditEntry.select().order_by(AuditEntry.id)
    with pytest.raises(Exception, match="append-only") as refused:  # both engines raise their own error type
        await AuditEntry.raw(REMOVALS[statement].format(last))
    assert statement.split()[0] in str(refused.value)
    assert await AuditEntry.select().order_by(AuditEntry.id) == before


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


async def test_verify_names_where_a_removed_entry_leaves_a_gap(client):
    await audited_round(client)
    last = await audited_round(client)
    removed = await AuditEntry.select().where(AuditEntry.id == last - 1).first()
    await bypassing_trigger("DELETE", "DELETE FROM audit_entry WHERE id = {}", removed["id"])
    try:
        broken = await verify()
        assert broken.returncode == 1, broken.stdout
        # The entry after the gap is the first whose predecessor's hash is no longer in the log.
        assert f"audit chain broken at entry {last}:" in broken.stderr
        assert "prev_hash is not the hash of the entry before it" in broken.stderr
    finally:
        # Put the entry back as it was (inserting is what the log allows), for the rest of the suite.
        await AuditEntry.insert(AuditEntry(**removed))
    assert (await verify()).returncode == 0
