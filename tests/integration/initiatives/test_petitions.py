"""Initiatives through HTTP: filing, moderation, signatures to the threshold, the answer, notifications."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from core.tables import AuditEntry
from initiatives import petitions
from initiatives.tables import Initiative
from notify.tables import NotifyEvent
from tests.helpers import make_iin, resident, sign_in
from tests.integration.initiatives.helpers import (
    ALATAU,
    ALMALY,
    ALMATY,
    AUEZOV,
    collecting,
    filed,
    settle,
    sign,
    staff,
    status_of,
)
from tests.integration.notify.helpers import run_worker

ANSWER = {"decision": "partly", "text": {"ru": "Фонари установят в 2027 году.", "kk": "Шамдар 2027 жылы қойылады."}}


async def kinds_in_feed(client, person: dict) -> list[str]:
    items = (await client.get("/api/v1/me/notifications", headers=person["headers"])).json()["items"]
    return [item["kind"] for item in items]


async def test_the_whole_path_from_filing_to_the_answer(client, outbox):
    admin = await staff(client)
    moderator = await staff(client, role="moderator")
    await settle(client, admin, ALMALY, 3, answer_days=10, hearing_threshold=4)
    author = await resident(client, outbox, ALMALY)
    initiative = await filed(client, author)
    assert initiative["status"] == "moderation" and initiative["signatures"] == 0
    number = initiative["id"]

    # Waiting for moderation: the author and staff see it, the public does not.
    assert (await client.get(f"/api/v1/initiatives/{number}")).status_code == 404
    assert (await client.get(f"/api/v1/initiatives/{number}", headers=author["headers"])).status_code == 200
    assert number not in [i["id"] for i in (await client.get("/api/v1/initiatives")).json()["items"]]
    queue = (await client.get("/api/v1/admin/initiatives", headers=moderator)).json()["items"]
    assert number in [i["id"] for i in queue]

    published = await client.post(f"/api/v1/admin/initiatives/{number}/moderate", headers=moderator,
                                  json={"decision": "publish"})
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["status"] == "collecting" and body["threshold"] == 3
    opens, closes = (datetime.fromisoformat(body[k]) for k in ("opens_at", "closes_at"))
    assert closes - opens == timedelta(days=90)
    again = await client.post(f"/api/v1/admin/initiatives/{number}/moderate", headers=moderator,
                              json={"decision": "reject", "reason": {"ru": "Передумали"}})
    assert again.status_code == 409

    signers = [await resident(client, outbox, ALMALY) for _ in range(4)]
    counts = [(await sign(client, person, number)).json()["signatures"] for person in signers[:2]]
    assert counts == [1, 2] and await status_of(number) == "collecting"
    third = await sign(client, signers[2], number)
    assert third.json() == {"signatures": 3}
    shown = (await client.get(f"/api/v1/initiatives/{number}")).json()
    assert shown["status"] == "answer_due" and not shown["answer_overdue"] and not shown["hearing_required"]
    due = datetime.fromisoformat(shown["answer_due_at"])
    assert timedelta(days=10) - timedelta(minutes=5) < due - datetime.now(UTC) <= timedelta(days=10)
    # Signing goes on until closes_at; past the hearing threshold the akimat must hold a hearing.
    assert (await sign(client, signers[3], number)).json() == {"signatures": 4}
    assert (await client.get(f"/api/v1/initiatives/{number}")).json()["hearing_required"] is True
    hearing = await client.post(f"/api/v1/admin/initiatives/{number}/hearing", headers=moderator,
                                json={"hearing_at": "2027-04-10T05:00:00Z"})
    assert hearing.status_code == 200 and hearing.json()["hearing_at"].startswith("2027-04-10T05:00")

    answered = await client.post(f"/api/v1/admin/initiatives/{number}/answer", headers=moderator, json=ANSWER)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered" and answered.json()["answer"]["decision"] == "partly"
    ru = (await client.get(f"/api/v1/initiatives/{number}", headers={"Accept-Language": "kk"})).json()
    assert ru["answer"]["text"] == "Шамдар 2027 жылы қойылады."
    assert (await client.post(f"/api/v1/admin/initiatives/{number}/answer", headers=moderator,
                              json=ANSWER)).status_code == 409
    assert (await sign(client, await resident(client, outbox, ALMALY), number)).status_code == 409

    await run_worker()
    assert {"initiative.published", "initiative.threshold_reached", "initiative.answered"} <= set(
        await kinds_in_feed(client, author))
    for person in signers:
        assert "initiative.answered" in await kinds_in_feed(client, person)
    # One transition to answer_due, however many signed after.
    assert await NotifyEvent.count().where((NotifyEvent.subject_id == str(number))
                                           & (NotifyEvent.kind == "initiative.threshold_reached")) == 1
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.target == f"initiative:{number}")]
    assert actions == ["initiative.publish", "initiative.hearing", "initiative.answer"]


async def test_one_person_signs_once_whatever_their_phones(client, outbox):
    moderator = await staff(client, role="moderator")
    _, number = await collecting(client, outbox, moderator)
    person = await resident(client, outbox, ALMALY)
    assert (await sign(client, person, number)).json() == {"signatures": 1}
    assert (await sign(client, person, number)).json() == {"signatures": 1}
    # A second phone cannot take the same IIN, so it stays unregistered and cannot sign at all.
    iin = make_iin(datetime(1985, 3, 3).date())
    first = await sign_in(client, outbox)
    second = await sign_in(client, outbox)
    for tokens, expected in ((first, 200), (second, 409)):
        answer = await client.put("/api/v1/me/residency", json={"iin": iin, "region": ALMALY},
                                  headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert answer.status_code == expected, answer.text
    assert (await sign(client, {"headers": {"Authorization": f"Bearer {first['access_token']}"}},
                       number)).json() == {"signatures": 2}
    refused = await sign(client, {"headers": {"Authorization": f"Bearer {second['access_token']}"}}, number)
    assert refused.status_code == 403
    assert (await Initiative.select(Initiative.signatures).where(Initiative.id == number).first())["signatures"] == 2


async def test_concurrent_signatures_are_all_counted_and_reach_the_threshold_once(client, outbox):
    admin = await staff(client, ALATAU)
    await settle(client, admin, ALATAU, 24)
    _, number = await collecting(client, outbox, admin, ALATAU)
    people = [await resident(client, outbox, ALATAU) for _ in range(24)]
    answers = await asyncio.gather(*(sign(client, person, number) for person in people),
                                   *(sign(client, person, number) for person in people[:6]))
    assert all(answer.status_code == 200 for answer in answers), [a.text for a in answers if a.status_code != 200]
    # Each stored signature saw its own count; a repeated one answers with the count of its moment.
    assert {a.json()["signatures"] for a in answers} == set(range(1, 25))
    row = await Initiative.select(Initiative.signatures, Initiative.status).where(Initiative.id == number).first()
    assert row == {"signatures": 24, "status": "answer_due"}
    assert await NotifyEvent.count().where((NotifyEvent.subject_id == str(number))
                                           & (NotifyEvent.kind == "initiative.threshold_reached")) == 1


async def test_outsiders_and_unregistered_residents_are_refused(client, outbox):
    moderator = await staff(client, role="moderator")
    _, number = await collecting(client, outbox, moderator)
    neighbour = await resident(client, outbox, ALATAU)
    assert (await sign(client, neighbour, number)).status_code == 403
    refused = await client.post("/api/v1/initiatives", headers=neighbour["headers"], json={
        "region": ALMALY, "title": "Не мой район", "text": "Я живу в другом районе, но хочу подать."})
    assert refused.status_code == 403
    # A resident of a district may address the city's akimat, which contains it.
    assert (await filed(client, neighbour, ALMATY))["status"] == "moderation"
    unregistered = await sign_in(client, outbox)
    headers = {"Authorization": f"Bearer {unregistered['access_token']}"}
    assert (await client.put(f"/api/v1/initiatives/{number}/signature", headers=headers)).status_code == 403
    assert (await client.post("/api/v1/initiatives", headers=headers, json={
        "region": ALMALY, "title": "Без регистрации", "text": "Я ещё не подтвердил проживание."})).status_code == 403
    assert (await client.put(f"/api/v1/initiatives/{number}/signature")).status_code == 401


async def test_limits_answer_422_naming_the_field(client, outbox):
    author = await resident(client, outbox, ALMALY)
    enough = "Достаточно длинный текст."
    for title, text, field in (("ab", enough, "title"), ("   ", enough, "title"), ("a" * 121, enough, "title"),
                               ("Заголовок", "коротко", "text"), ("Заголовок", "x" * 2001, "text")):
        answer = await client.post("/api/v1/initiatives", headers=author["headers"],
                                   json={"region": ALMALY, "title": title, "text": text})
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    nul = await client.post("/api/v1/initiatives", headers=author["headers"],
                            json={"region": ALMALY, "title": "Нуль\u0000", "text": "Достаточно длинный текст."})
    assert nul.status_code in (400, 422)
    assert not await Initiative.exists().where(Initiative.title.like("Нуль%"))


async def test_rejection_needs_a_reason_which_the_author_reads(client, outbox):
    moderator = await staff(client, role="moderator")
    author = await resident(client, outbox, ALMALY)
    number = (await filed(client, author))["id"]
    bare = await client.post(f"/api/v1/admin/initiatives/{number}/moderate", headers=moderator,
                             json={"decision": "reject"})
    assert bare.status_code == 422 and bare.json()["errors"][0]["field"].startswith("reason")
    rejected = await client.post(f"/api/v1/admin/initiatives/{number}/moderate", headers=moderator, json={
        "decision": "reject", "reason": {"ru": "Вопрос не относится к ведению акимата района.",
                                         "kk": "Бұл аудан әкімдігінің құзыретінде емес."}})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    mine = (await client.get("/api/v1/me/initiatives", headers={**author["headers"], "Accept-Language": "kk"})).json()
    assert mine["items"][0]["moderation_reason"] == "Бұл аудан әкімдігінің құзыретінде емес."
    assert (await client.get(f"/api/v1/initiatives/{number}")).status_code == 404
    assert (await sign(client, await resident(client, outbox, ALMALY), number)).status_code == 404
    assert (await sign(client, author, number)).status_code == 409


async def test_expiry_by_the_scheduler_with_a_controlled_clock(client, outbox):
    moderator = await staff(client, role="moderator")
    author, number = await collecting(client, outbox, moderator)
    signer = await resident(client, outbox, ALMALY)
    await sign(client, signer, number)
    closes = (await Initiative.select(Initiative.closes_at).where(Initiative.id == number).first())["closes_at"]
    assert number not in await petitions.expire_due(closes - timedelta(seconds=1))
    assert number in await petitions.expire_due(closes + timedelta(seconds=1))
    assert number not in await petitions.expire_due(closes + timedelta(days=3))  # once, also after downtime
    assert await status_of(number) == "expired"
    assert (await sign(client, await resident(client, outbox, ALMALY), number)).status_code == 409
    assert (await client.post(f"/api/v1/admin/initiatives/{number}/answer", headers=moderator,
                              json=ANSWER)).status_code == 409
    await run_worker()
    assert "initiative.expired" in await kinds_in_feed(client, signer)
    assert "initiative.expired" in await kinds_in_feed(client, author)
    assert await AuditEntry.exists().where((AuditEntry.target == f"initiative:{number}")
                                           & (AuditEntry.action == "initiative.expire"))


async def test_the_public_sees_expiry_and_an_overdue_answer_before_any_sweep(client, outbox):
    admin = await staff(client, AUEZOV)
    await settle(client, admin, AUEZOV, 1)
    _, late = await collecting(client, outbox, admin, AUEZOV)
    assert (await sign(client, await resident(client, outbox, AUEZOV), late)).status_code == 200
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Initiative.update({Initiative.answer_due_at: past}).where(Initiative.id == late)
    shown = (await client.get(f"/api/v1/initiatives/{late}")).json()
    assert shown["status"] == "answer_due" and shown["answer_overdue"] is True

    _, ended = await collecting(client, outbox, admin, AUEZOV)
    await Initiative.update({Initiative.closes_at: past}).where(Initiative.id == ended)
    assert (await client.get(f"/api/v1/initiatives/{ended}")).json()["status"] == "expired"
    listed = (await client.get("/api/v1/initiatives", params={"status": "expired", "region": AUEZOV})).json()
    assert ended in [item["id"] for item in listed["items"]]
    assert (await sign(client, await resident(client, outbox, AUEZOV), ended)).status_code == 409


async def test_by_region_hides_small_counts(client, outbox):
    city = await staff(client, ALMATY)
    await settle(client, city, ALMATY, 100)
    _, number = await collecting(client, outbox, city, ALMATY)
    for region, count in ((ALMALY, 2), (ALATAU, 6), (AUEZOV, 5)):
        for _ in range(count):
            assert (await sign(client, await resident(client, outbox, region), number)).status_code == 200
    shown = (await client.get(f"/api/v1/initiatives/{number}")).json()
    cells = {item["region"]: item["signatures"] for item in shown["by_region"]}
    assert shown["signatures"] == 13
    # Almaly's 2 is hidden; Auezov's 5 with it, or 13 - 6 - 5 would give Almaly's away.
    assert cells[ALMALY] is None and cells[AUEZOV] is None and cells[ALATAU] == 6
    assert all(cells[kato] == 0 for kato in cells if kato not in (ALMALY, ALATAU, AUEZOV))
    assert len(cells) == 8


async def test_staff_of_a_sibling_district_are_refused_and_audited(client, outbox):
    moderator = await staff(client, role="moderator")
    author = await resident(client, outbox, ALMALY)
    number = (await filed(client, author))["id"]
    sibling = await staff(client, ALATAU)
    before = await AuditEntry.count().where(AuditEntry.action == "access.denied")
    for path, body in (("moderate", {"decision": "publish"}), ("answer", ANSWER)):
        answer = await client.post(f"/api/v1/admin/initiatives/{number}/{path}", headers=sibling, json=body)
        assert answer.status_code == 403, answer.text
    assert (await client.get(f"/api/v1/admin/initiatives/{number}", headers=sibling)).status_code == 403
    assert (await client.put(f"/api/v1/admin/regions/{ALMALY}/settings", headers=sibling,
                             json={"initiative_threshold": 5})).status_code == 403
    assert await AuditEntry.count().where(AuditEntry.action == "access.denied") == before + 4
    assert number not in [i["id"] for i in (await client.get("/api/v1/admin/initiatives",
                                                             headers=sibling)).json()["items"]]
    # A moderator moderates but does not change the region's settings.
    assert (await client.put(f"/api/v1/admin/regions/{ALMALY}/settings", headers=moderator,
                             json={"initiative_threshold": 5})).status_code == 403
    assert await status_of(number) == "moderation"


async def test_region_settings_validate_and_default(client, outbox):
    admin = await staff(client, "751410000")
    default = (await client.get("/api/v1/admin/regions/751410000/settings", headers=admin)).json()
    assert default["initiative_threshold"] is None and default["threshold"] == 2_500 and default["answer_days"] == 30
    bad = await client.put("/api/v1/admin/regions/751410000/settings", headers=admin,
                           json={"initiative_threshold": 500, "hearing_threshold": 400, "answer_days": 0})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"hearing_threshold", "answer_days"}
    city = await staff(client, ALMATY)
    almaty = (await client.get(f"/api/v1/admin/regions/{ALMATY}/settings", headers=city)).json()
    assert almaty["default_threshold"] == 23_324


async def test_a_collection_past_its_end_cannot_be_answered_before_the_sweep(client, outbox):
    moderator = await staff(client, role="moderator")
    _, number = await collecting(client, outbox, moderator)
    await Initiative.update({Initiative.closes_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Initiative.id == number)
    answer = await client.post(f"/api/v1/admin/initiatives/{number}/answer", headers=moderator, json=ANSWER)
    assert answer.status_code == 409 and await status_of(number) == "collecting"
    assert (await client.get(f"/api/v1/admin/regions/{ALMALY[:5]}/settings", headers=moderator)).status_code == 400


async def test_one_resident_files_at_most_ten_initiatives_a_day(client, outbox):
    author = await resident(client, outbox, ALMALY)
    for number in range(10):
        await filed(client, author, title=f"Предложение номер {number}")
    refused = await client.post("/api/v1/initiatives", headers=author["headers"], json={
        "region": ALMALY, "title": "Одиннадцатое", "text": "Ещё одно предложение в тот же день."})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
