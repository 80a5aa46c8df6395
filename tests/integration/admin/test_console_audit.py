"""The console's audit log as a clerk reads it: names instead of codes, a diff of what changed, Kazakhstan
time, pages of 25 with older and newer links, and filters that explain themselves when they are wrong."""

from __future__ import annotations

import re
import uuid

from admin.console.audit_pages import PAGE
from core import audit
from core.regions import region_path
from infra.database import write_transaction
from tests.helpers import round_body, staff_headers
from tests.integration.admin.console_helpers import console_sign_in

PASSWORD = "Audit-pass-2026"
ROWS = re.compile(r'<tr id="entry-(\d+)"')


def entries(page) -> list[int]:
    assert page.status_code == 200, page.text
    return [int(number) for number in ROWS.findall(page.text)]


def link(page, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page.text)
    assert found, f"no {rel} link"
    return "/console/audit" + found.group(1).replace("&amp;", "&")


async def test_a_round_change_reads_as_a_diff_with_names_and_kazakhstan_time(client):
    email = f"audit-{uuid.uuid4().hex[:6]}@almaly.kz"
    headers = await staff_headers(client, email, PASSWORD, "751110000")
    created = await client.post("/api/v1/admin/rounds", json=round_body(title={"ru": "Двор Алмалы"}),
                                headers=headers)
    round_id = created.json()["id"]
    changed = await client.patch(f"/api/v1/admin/rounds/{round_id}", json={"budget": 60_000_000}, headers=headers)
    assert changed.status_code == 200, changed.text
    session = await console_sign_in(client, email, PASSWORD)

    page = await session.get(f"/console/audit?target=round:{round_id}")
    update, create = entries(page)
    assert update > create
    row = page.text[page.text.index(f'id="entry-{update}"'):page.text.index(f'id="entry-{create}"')]
    # Only what changed, old → new, money as a Russian reader writes it; the round by its title, linked.
    assert "Бюджет" in row and "50\xa0000\xa0000</del> →" in row and "60\xa0000\xa0000</ins>" in row
    assert "Правило" not in row and "Изменено голосование" in row
    assert f'<a href="/console/rounds/{round_id}">Двор Алмалы</a>' in row and email in row
    created_row = page.text[page.text.index(f'id="entry-{create}"'):]
    assert "Алмалинский район" in created_row and "Больше всего голосов" in created_row
    assert "\\u04" not in page.text and "(время Казахстана, UTC+5)" in page.text
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", row)
    # Who is asked for by e-mail; the log knows the account as staff:N.
    assert entries(await session.get(f"/console/audit?actor={email.upper()}")) == [update, create]


async def test_pages_of_25_go_older_and_newer_and_bad_filters_are_explained(client):
    email = f"audit-pages-{uuid.uuid4().hex[:6]}@almaly.kz"
    await staff_headers(client, email, PASSWORD, "751110000")
    session = await console_sign_in(client, email, PASSWORD)
    target = f"idea:{uuid.uuid4().int % 10**9}"
    path = await region_path("751110000")
    async with write_transaction():
        for number in range(PAGE + 5):
            await audit.record("scheduler", "idea.hide", target, path, {"status": "submitted"},
                               {"status": "hidden", "reason": {"ru": f"Повтор {number}"}})

    first = await session.get(f"/console/audit?target={target}&action=idea.hide")
    newest = entries(first)
    assert len(newest) == PAGE and newest == sorted(newest, reverse=True)
    assert 'rel="prev"' not in first.text and "Планировщик" in first.text
    second = await session.get(link(first, "next"))
    older = entries(second)
    assert len(older) == 5 and max(older) < min(newest) and 'rel="next"' not in second.text
    assert entries(await session.get(link(second, "prev"))) == newest

    for query, field in (("since=2026-13-01", "since"), ("since=2026-12-02&until=2026-12-01", "until"),
                         ("action=round.explode", "action"), ("target=round:abc", "target"),
                         ("actor=nobody@nowhere.kz", "actor"), (f"actor={'x' * 300}", "actor")):
        refused = await session.get(f"/console/audit?{query}")
        assert refused.status_code == 200 and f'id="{field}-error"' in refused.text, query
        assert 'id="entry-' not in refused.text
    by_email = await session.get(f"/console/audit?actor={email}")
    assert by_email.status_code == 200 and 'id="actor-error"' not in by_email.text
    assert f'<option value="{email}">' in by_email.text  # offered as one types
    broken = await session.get(f"/console/audit?target={target}&before=12abc")
    assert 'class="problem"' in broken.text and entries(broken) == newest
