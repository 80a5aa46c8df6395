"""The audit chain's rules: an entry's canonical form and hash, how entries are appended, how the chain is
verified in process, and how staff page and search the log (see tests/mutation_survivors.md).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

from core import audit
from core.tables import AuditEntry
from infra.database import is_postgres

SQLITE_TRIGGER = ("CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
                  "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE refused'); END")
ENTRY = {"id": 7, "at": "2026-03-01T09:00:00Z", "actor": "staff:1", "action": "round.create",
         "target": "round:3", "before": None, "after": {"title": "Қатысу", "at": datetime(2026, 3, 1, tzinfo=UTC)}}


async def edit_bypassing_trigger(entry_id: int, column: str, value: str) -> None:
    """What only the database's owner can do: switch the append-only guard off, edit, switch it back on."""
    if is_postgres():
        await AuditEntry.raw("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        await AuditEntry.raw(f"UPDATE audit_entry SET {column} = {{}} WHERE id = {{}}", value, entry_id)
        await AuditEntry.raw("ALTER TABLE audit_entry ENABLE TRIGGER USER")
    else:
        await AuditEntry.raw("DROP TRIGGER audit_entry_no_update")
        await AuditEntry.raw(f"UPDATE audit_entry SET {column} = {{}} WHERE id = {{}}", value, entry_id)
        await AuditEntry.raw(SQLITE_TRIGGER)


def test_the_canonical_form_is_sorted_compact_unicode_json_of_the_hashed_fields():
    extra = {**ENTRY, "prev_hash": "x", "hash": "y", "region_path": "750000000/"}
    text = audit.canonical(extra)
    assert text == ('{"action":"round.create","actor":"staff:1","after":{"at":"2026-03-01 00:00:00+00:00",'
                    '"title":"Қатысу"},"at":"2026-03-01T09:00:00Z","before":null,"id":7,"target":"round:3"}')
    assert audit.chain_hash("a" * 64, ENTRY) == hashlib.sha256(("a" * 64 + text).encode()).hexdigest()
    assert audit.GENESIS == "0" * 64 and audit.SCHEDULER == "scheduler"


def test_times_are_utc_with_a_z():
    at = datetime(2026, 3, 1, 14, 0, 0, 5, tzinfo=timezone(timedelta(hours=5)))
    assert audit._timestamp(at) == "2026-03-01T09:00:00.000005Z"


async def record_some(count: int, region_path: str = "750000000/751110000/",
                      tag: str | None = None) -> tuple[str, list[dict]]:
    tag = tag or uuid.uuid4().hex[:8]
    for number in range(count):
        await audit.record(f"staff:{tag}", f"test.{tag}.{number % 2}", f"thing:{tag}:{number}", region_path,
                           {"n": number} if number else None, {"n": number + 1, "name": "Алмалы"})
    rows = await AuditEntry.select().where(
        (AuditEntry.actor == f"staff:{tag}") & (AuditEntry.region_path == region_path)).order_by(AuditEntry.id)
    return tag, rows


async def test_each_entry_follows_the_last_and_hashes_over_it(client):
    last = await AuditEntry.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id, ascending=False).first()
    before = datetime.now(UTC).replace(microsecond=0)
    tag, rows = await record_some(3)
    # The first entry of all follows the genesis hash and gets id 1.
    last_id, last_hash = (last["id"], last["hash"]) if last else (0, audit.GENESIS)
    assert [r["id"] for r in rows] == [last_id + 1, last_id + 2, last_id + 3]
    assert rows[0]["prev_hash"] == last_hash
    for previous, row in zip(rows, rows[1:]):
        assert row["prev_hash"] == previous["hash"]
    for row in rows:
        document = audit.as_document(row)
        assert row["hash"] == audit.chain_hash(row["prev_hash"], document)
        assert document["at"].endswith("Z")
        assert before <= datetime.fromisoformat(document["at"]) <= datetime.now(UTC)
    first = audit.as_document(rows[0])
    assert first == {"id": rows[0]["id"], "at": first["at"], "actor": f"staff:{tag}", "action": f"test.{tag}.0",
                     "target": f"thing:{tag}:0", "before": None, "after": {"n": 1, "name": "Алмалы"},
                     "prev_hash": last_hash, "hash": rows[0]["hash"]}
    assert audit.as_document(rows[1])["before"] == {"n": 1}
    assert rows[0]["region_path"] == "750000000/751110000/"


def test_stored_json_is_loaded_and_anything_else_passed_through():
    assert audit._loaded('{"a": [1]}') == {"a": [1]}
    assert audit._loaded({"a": 1}) == {"a": 1}
    assert audit._loaded(None) is None


async def test_entries_are_read_in_batches_in_order(client):
    await record_some(3)
    everything = [row["id"] async for row in audit._all_entries()]
    assert everything == sorted(everything) and len(everything) == len(set(everything))
    assert [row["id"] async for row in audit._all_entries(batch=2)] == everything
    assert everything == [r["id"] for r in await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)]


async def test_verify_finds_an_edited_entry_and_a_broken_link(client):
    _, rows = await record_some(2)
    intact = await audit.verify_chain()
    total = await AuditEntry.count()
    assert intact == audit.ChainReport(total)
    target = rows[1]
    position = await AuditEntry.count().where(AuditEntry.id < target["id"])
    await edit_bypassing_trigger(target["id"], "actor", "staff:999")
    try:
        assert await audit.verify_chain() == audit.ChainReport(position, target["id"],
                                                               "its content does not match its hash")
    finally:
        await edit_bypassing_trigger(target["id"], "actor", target["actor"])
    await edit_bypassing_trigger(target["id"], "prev_hash", "b" * 64)
    try:
        assert await audit.verify_chain() == audit.ChainReport(
            position, target["id"], "its prev_hash is not the hash of the entry before it")
    finally:
        await edit_bypassing_trigger(target["id"], "prev_hash", target["prev_hash"])
    assert await audit.verify_chain() == audit.ChainReport(total)


async def test_a_page_is_the_subtree_after_an_id_oldest_first(client):
    region = f"77{uuid.uuid4().int % 10**7:07d}/"
    _, inside = await record_some(4, region + "771110000/")
    _, outside = await record_some(1, "750000000/")
    listed = await audit.page(region, 0, 10)
    assert [d["id"] for d in listed] == [r["id"] for r in inside]
    assert [d["id"] for d in await audit.page(region, inside[0]["id"], 2)] == [inside[1]["id"], inside[2]["id"]]
    assert await audit.page(region, inside[-1]["id"], 10) == []
    assert listed[0] == audit.as_document(inside[0])
    assert outside[0]["id"] not in [d["id"] for d in await audit.page(region, 0, 100)]


async def test_search_applies_every_filter_newest_first(client):
    region = f"78{uuid.uuid4().int % 10**7:07d}/"
    tag = uuid.uuid4().hex[:8]
    # The same entries in another region, before and after these: no filter may let them through.
    await record_some(5, "750000000/", tag)
    _, rows = await record_some(5, region, tag)
    ids = [r["id"] for r in rows]
    _, elsewhere = await record_some(5, "750000000/", tag)

    async def found(limit: int = 50, before_id: int | None = None, **where) -> list[int]:
        return [d["id"] for d in await audit.search(region, audit.AuditFilter(**where), before_id, limit)]

    assert await found() == ids[::-1]
    assert await found(limit=2) == ids[:2:-1] and len(await found(limit=2)) == 2
    assert await found(before_id=ids[3]) == ids[2::-1]
    assert await found(before_id=0) == ids[::-1]
    # An action filter is a prefix; a % typed into it is not a wildcard.
    assert await found(action=f"test.{tag}.1") == [ids[3], ids[1]]
    assert await found(action="test.") == ids[::-1]
    assert await found(action=f"%.{tag}") == []
    assert await found(action=f"test.{tag}%.0") == [ids[4], ids[2], ids[0]]
    assert await found(actor=f"staff:{tag}") == ids[::-1]
    assert await found(actor=f"staff:{tag}x") == []
    assert await found(target=f"thing:{tag}:2") == [ids[2]]
    assert await found(target=f"thing:{tag}:") == []
    at = {r["id"]: datetime.fromisoformat(audit.as_document(r)["at"]) for r in rows}
    middle = at[ids[2]]
    since = await found(since=middle)
    assert ids[2] in since and all(at[i] >= middle for i in since)
    until = await found(until=middle)
    assert ids[2] not in until and all(at[i] < middle for i in until)
    assert await found(since=middle + timedelta(days=1)) == []
    assert await found(until=middle - timedelta(days=1)) == []
    other = await audit.search("750000000/", audit.AuditFilter(actor=f"staff:{tag}"), None, 50)
    assert [d["id"] for d in other] == [r["id"] for r in elsewhere][::-1]
    assert json.loads(json.dumps((await audit.search(region, audit.AuditFilter(), None, 1))[0]))["id"] == ids[-1]
