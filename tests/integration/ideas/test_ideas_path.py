"""A round's ideas phase end to end: residents propose and support, staff decide, the idea reaches the ballot."""

from __future__ import annotations

import asyncio
from datetime import date

from budgets.closing import advance_rounds
from tests.helpers import open_now, photo_bytes, resident, staff_headers
from tests.integration.ideas.helpers import (
    ALATAU,
    ALMALY,
    ALMATY,
    IDEA,
    end_ideas_phase,
    ideas_round,
    propose,
)
from tests.integration.notify.helpers import run_worker


async def test_a_resident_proposes_others_support_staff_accept_and_it_is_on_the_ballot(client, outbox):
    staff, round_id = await ideas_round(client, "ideas-path@almaty.kz")
    assert (await client.get(f"/api/v1/rounds/{round_id}")).json()["status"] == "ideas"
    author = await resident(client, outbox, ALMALY)
    idea = await propose(client, author, round_id)
    assert idea["status"] == "submitted" and idea["supports"] == 0 and idea["region"] == ALMALY
    assert idea["language"] == "ru" and idea["location"] == {"lat": 43.2389, "lon": 76.8897}

    supporters = [await resident(client, outbox, ALMALY) for _ in range(3)]
    for number, person in enumerate(supporters, start=1):
        answer = await client.put(f"/api/v1/ideas/{idea['id']}/support", headers=person["headers"])
        assert answer.status_code == 200 and answer.json() == {"supports": number}
    again = await client.put(f"/api/v1/ideas/{idea['id']}/support", headers=supporters[0]["headers"])
    assert again.json() == {"supports": 3}
    withdrawn = await client.delete(f"/api/v1/ideas/{idea['id']}/support", headers=supporters[2]["headers"])
    assert withdrawn.status_code == 200 and withdrawn.json() == {"supports": 2}

    await end_ideas_phase(round_id)
    await advance_rounds(60)
    assert (await client.get(f"/api/v1/rounds/{round_id}")).json()["status"] == "review"
    late = await client.put(f"/api/v1/ideas/{idea['id']}/support", headers=supporters[2]["headers"])
    assert late.status_code == 409

    decided = await client.post(f"/api/v1/admin/ideas/{idea['id']}/review", headers=staff, json={
        "decision": "accept", "cost": 5_200_000, "reason": {"ru": "Прошла экспертизу"}})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "accepted" and body["cost"] == 5_200_000 and body["answer"] == "Прошла экспертизу"
    twice = await client.post(f"/api/v1/admin/ideas/{idea['id']}/review", headers=staff,
                              json={"decision": "reject", "reason": {"ru": "нет"}})
    assert twice.status_code == 409

    projects = (await client.get(f"/api/v1/rounds/{round_id}/projects")).json()
    assert [(p["idea_id"], p["cost"], p["title"]) for p in projects] == [
        (idea["id"], 5_200_000, "Освещение во дворе дома 12")]
    assert projects[0]["id"] == body["project_id"]

    await open_now(round_id)
    await advance_rounds(60)
    ballot = await client.put(f"/api/v1/rounds/{round_id}/ballot", headers=supporters[0]["headers"],
                              json={"choices": [{"project_id": body["project_id"]}]})
    assert ballot.status_code == 200, ballot.text

    await run_worker()
    feed = (await client.get("/api/v1/me/notifications", headers=author["headers"])).json()["items"]
    reviewed = [item for item in feed if item["kind"] == "idea.reviewed"]
    assert len(reviewed) == 1 and reviewed[0]["url"].endswith(f"/ideas/{idea['id']}")
    mine = (await client.get("/api/v1/me/ideas", headers=author["headers"])).json()
    assert [(i["id"], i["status"], i["answer"]) for i in mine] == [(idea["id"], "accepted", "Прошла экспертизу")]


async def test_reject_hide_and_merge_carry_a_public_reason_and_merged_supports_count_once(client, outbox):
    staff, round_id = await ideas_round(client, "ideas-decide@almaty.kz")
    people = [await resident(client, outbox, ALMALY) for _ in range(4)]
    kept = await propose(client, people[0], round_id)
    duplicate = await propose(client, people[1], round_id, title="Фонари во дворе дома 12")
    spam = await propose(client, people[2], round_id, title="Купите часы", text="Дёшево, пишите в личку.")
    for person in people[:3]:
        await client.put(f"/api/v1/ideas/{duplicate['id']}/support", headers=person["headers"])
    await client.put(f"/api/v1/ideas/{kept['id']}/support", headers=people[0]["headers"])

    similar = (await client.get(f"/api/v1/admin/ideas/{kept['id']}/similar", headers=staff)).json()
    assert [row["id"] for row in similar] == [duplicate["id"]] and similar[0]["score"] >= 0.3
    # A resident about to write a twin sees both, most alike first, and nothing unlike.
    before = (await client.get(f"/api/v1/rounds/{round_id}/ideas/similar",
                               params={"title": "Освещение во дворе дома 12"})).json()
    assert [row["id"] for row in before] == [kept["id"], duplicate["id"]] and before[0]["score"] == 1.0

    missing_reason = await client.post(f"/api/v1/admin/ideas/{duplicate['id']}/review", headers=staff,
                                       json={"decision": "merge", "merge_into": kept["id"]})
    assert missing_reason.status_code == 422 and missing_reason.json()["errors"][0]["field"] == "reason"
    merged = await client.post(f"/api/v1/admin/ideas/{duplicate['id']}/review", headers=staff, json={
        "decision": "merge", "merge_into": kept["id"], "reason": {"kk": "Қайталанған идея", "ru": "Дубликат"}})
    assert merged.status_code == 200 and merged.json()["merged_into"] == kept["id"]
    # people[0] supported both, people[1] wrote the duplicate, people[2] supported it: three persons.
    assert (await client.get(f"/api/v1/ideas/{kept['id']}")).json()["supports"] == 3
    answer = await client.get(f"/api/v1/ideas/{duplicate['id']}", headers={"Accept-Language": "kk"})
    assert answer.json()["status"] == "merged" and answer.json()["answer"] == "Қайталанған идея"

    hidden = await client.post(f"/api/v1/admin/ideas/{spam['id']}/review", headers=staff,
                               json={"decision": "hide", "reason": {"ru": "Реклама"}})
    assert hidden.status_code == 200
    assert (await client.get(f"/api/v1/rounds/{round_id}/ideas/similar", params={"title": "Купите часы"})).json() == []
    assert (await client.get(f"/api/v1/ideas/{spam['id']}")).status_code == 404
    listed = (await client.get(f"/api/v1/rounds/{round_id}/ideas")).json()["items"]
    assert spam["id"] not in [i["id"] for i in listed]
    queue = (await client.get(f"/api/v1/admin/rounds/{round_id}/ideas?status=hidden", headers=staff)).json()
    assert [i["id"] for i in queue["items"]] == [spam["id"]]
    assert (await client.get("/api/v1/me/ideas", headers=people[2]["headers"])).json()[0]["answer"] == "Реклама"

    from core.tables import AuditEntry
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.target.is_in([f"idea:{duplicate['id']}", f"idea:{spam['id']}"]))]
    assert sorted(actions) == ["idea.hide", "idea.merge"]


async def test_bulk_rejection_decides_what_it_can_and_names_the_rest(client, outbox):
    staff, round_id = await ideas_round(client, "ideas-bulk@almaty.kz")
    _, other_round = await ideas_round(client, "ideas-bulk@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    first, second = [await propose(client, person, round_id) for _ in range(2)]
    elsewhere = await propose(client, person, other_round)
    await client.post(f"/api/v1/admin/ideas/{second['id']}/review", headers=staff,
                      json={"decision": "hide", "reason": {"ru": "спам"}})
    answer = await client.post(f"/api/v1/admin/rounds/{round_id}/ideas/review",
                               headers={**staff, "Accept-Language": "ru"}, json={
        "ideas": [first["id"], second["id"], elsewhere["id"]], "decision": "reject",
        "reason": {"ru": "Не в полномочиях акимата района"}})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["decided"] == [first["id"]] and set(body["refused"]) == {str(second["id"]), str(elsewhere["id"])}
    # Why each was left, in the language the console or client asked for.
    assert body["refused"][str(elsewhere["id"])] == f"Идея {elsewhere['id']} не относится к раунду {round_id}."
    assert body["refused"][str(second["id"])] == (f"По идее {second['id']} уже принято решение: она в состоянии "
                                                  "«скрыто».")
    accept_all = await client.post(f"/api/v1/admin/rounds/{round_id}/ideas/review", headers=staff, json={
        "ideas": [first["id"]], "decision": "accept", "reason": {"ru": "да"}})
    assert accept_all.status_code == 422


async def test_texts_phase_eligibility_and_the_limit_of_five(client, outbox):
    staff, round_id = await ideas_round(client, "ideas-rules@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    address = f"/api/v1/rounds/{round_id}/ideas"
    for field, value in (("title", "ab"), ("title", "x" * 121), ("text", "   "), ("text", "y" * 801),
                         ("category", "casino")):
        refused = await client.post(address, json={**(dict(IDEA)), field: value}, headers=person["headers"])
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    outside = await client.post(address, json={**(dict(IDEA)), "region": ALATAU}, headers=person["headers"])
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "region"

    stranger = await resident(client, outbox, ALATAU)
    assert (await client.post(address, json=dict(IDEA), headers=stranger["headers"])).status_code == 403
    child = await resident(client, outbox, ALMALY, born=date.today().replace(year=date.today().year - 15))
    assert (await client.post(address, json=dict(IDEA), headers=child["headers"])).status_code == 403
    assert (await client.post(address, json=dict(IDEA))).status_code == 401

    written = [await client.post(address, json=dict(IDEA), headers=person["headers"]) for _ in range(5)]
    assert [w.status_code for w in written] == [201] * 5
    sixth = await client.post(address, json=dict(IDEA), headers=person["headers"])
    assert sixth.status_code == 429 and int(sixth.headers["retry-after"]) >= 1

    await end_ideas_phase(round_id)
    late = await resident(client, outbox, ALMALY)
    assert (await client.post(address, json=dict(IDEA), headers=late["headers"])).status_code == 409


async def test_twenty_four_ideas_at_once_from_one_person_stop_at_five(client, outbox):
    _, round_id = await ideas_round(client, "ideas-race@almaty.kz")
    person = await resident(client, outbox, ALMALY)
    answers = await asyncio.gather(*(client.post(f"/api/v1/rounds/{round_id}/ideas", json=dict(IDEA),
                                                 headers=person["headers"]) for _ in range(24)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 5 and set(codes) <= {201, 409, 429} and 500 not in codes
    mine = (await client.get("/api/v1/me/ideas", headers=person["headers"])).json()
    assert len([i for i in mine if i["round_id"] == round_id]) == 5


async def test_twenty_four_supports_at_once_count_twenty_four(client, outbox):
    _, round_id = await ideas_round(client, "ideas-support-race@almaty.kz")
    author = await resident(client, outbox, ALMALY)
    idea = await propose(client, author, round_id)
    people = [await resident(client, outbox, ALMALY) for _ in range(24)]
    answers = await asyncio.gather(*(client.put(f"/api/v1/ideas/{idea['id']}/support", headers=p["headers"])
                                     for p in people + people[:4]))
    assert {a.status_code for a in answers} == {200}
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["supports"] == 24


async def test_lists_page_by_supports_and_newest_and_filter_by_category_and_region(client, outbox):
    _, round_id = await ideas_round(client, "ideas-list@almaty.kz", region=ALMATY)
    people = [await resident(client, outbox, ALMALY) for _ in range(3)]
    ideas = [await propose(client, people[0], round_id, category=category)
             for category in ("lighting", "parks", "lighting")]
    alatau = await resident(client, outbox, ALATAU)
    in_alatau = await propose(client, alatau, round_id)
    assert in_alatau["region"] == ALATAU
    for person in people[1:]:
        await client.put(f"/api/v1/ideas/{ideas[1]['id']}/support", headers=person["headers"])
    await client.put(f"/api/v1/ideas/{ideas[2]['id']}/support", headers=people[1]["headers"])

    address = f"/api/v1/rounds/{round_id}/ideas"
    seen, cursor = [], None
    while True:
        page = (await client.get(address, params={"limit": 2, **({"cursor": cursor} if cursor else {})})).json()
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen[:2] == [ideas[1]["id"], ideas[2]["id"]] and sorted(seen) == sorted(
        [i["id"] for i in ideas] + [in_alatau["id"]])
    newest = (await client.get(address, params={"sort": "new"})).json()["items"]
    assert [i["id"] for i in newest] == [in_alatau["id"]] + [i["id"] for i in reversed(ideas)]
    parks = (await client.get(address, params={"category": "parks"})).json()["items"]
    assert [i["id"] for i in parks] == [ideas[1]["id"]]
    near = (await client.get(address, params={"region": ALATAU})).json()["items"]
    assert [i["id"] for i in near] == [in_alatau["id"]]
    assert (await client.get(address, params={"cursor": "nonsense"})).status_code == 422
    assert (await client.get(address, params={"sort": "random"})).status_code == 422
    assert (await client.get(address, params={"limit": 0})).status_code == 400


async def test_photos_are_the_authors_re_encoded_and_at_most_three(client, outbox):
    _, round_id = await ideas_round(client, "ideas-photo@almaty.kz")
    author = await resident(client, outbox, ALMALY)
    idea = await propose(client, author, round_id)
    address = f"/api/v1/ideas/{idea['id']}/photos"
    other = await resident(client, outbox, ALMALY)
    png = photo_bytes("JPEG")
    refused = await client.post(address, files={"file": ("a.jpg", png, "image/jpeg")}, headers=other["headers"])
    assert refused.status_code == 403
    not_photo = await client.post(address, files={"file": ("a.jpg", b"<svg/>", "image/jpeg")},
                                  headers=author["headers"])
    assert not_photo.status_code == 422 and not_photo.json()["errors"][0]["field"] == "file"
    for _ in range(3):
        added = await client.post(address, files={"file": ("a.jpg", png, "image/jpeg")}, headers=author["headers"])
        assert added.status_code == 201, added.text
    fourth = await client.post(address, files={"file": ("a.jpg", png, "image/jpeg")}, headers=author["headers"])
    assert fourth.status_code == 422
    shown = (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["photos"]
    assert len(shown) == 3
    photo = await client.get(shown[0])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.content.startswith(b"\xff\xd8\xff")


async def test_six_photos_at_once_still_make_at_most_three(client, outbox):
    _, round_id = await ideas_round(client, "ideas-photo-race@almaty.kz")
    author = await resident(client, outbox, ALMALY)
    idea = await propose(client, author, round_id)
    png = photo_bytes("JPEG")
    answers = await asyncio.gather(*(client.post(f"/api/v1/ideas/{idea['id']}/photos", headers=author["headers"],
                                                 files={"file": (f"{n}.jpg", png, "image/jpeg")}) for n in range(6)))
    assert sorted(answer.status_code for answer in answers) == [201] * 3 + [422] * 3
    assert len((await client.get(f"/api/v1/ideas/{idea['id']}")).json()["photos"]) == 3


async def test_staff_of_a_sibling_district_and_delivery_staff_cannot_review(client, outbox):
    admin, round_id = await ideas_round(client, "ideas-scope@almaty.kz", staff_region=ALMALY)
    author = await resident(client, outbox, ALMALY)
    idea = await propose(client, author, round_id)
    sibling = await staff_headers(client, "ideas-sibling@alatau.kz", "Ideas-pass-2026", ALATAU)
    delivery = await staff_headers(client, "ideas-delivery@almaly.kz", "Ideas-pass-2026", ALMALY, "delivery")
    moderator = await staff_headers(client, "ideas-moderator@almaly.kz", "Ideas-pass-2026", ALMALY, "moderator")
    body = {"decision": "reject", "reason": {"ru": "Не в полномочиях"}}
    address = f"/api/v1/admin/ideas/{idea['id']}/review"
    assert (await client.post(address, json=body, headers=sibling)).status_code == 403
    assert (await client.post(address, json=body, headers=delivery)).status_code == 403
    assert (await client.get(f"/api/v1/admin/rounds/{round_id}/ideas", headers=sibling)).status_code == 403
    resident_token = await client.post(address, json=body, headers=author["headers"])
    assert resident_token.status_code == 401
    assert (await client.post(address, json=body, headers=moderator)).status_code == 200


async def test_the_phase_dates_are_checked_and_the_scheduler_moves_each_phase_once(client, outbox):
    from budgets.tables import Round
    from tests.helpers import round_body

    staff = await staff_headers(client, "ideas-dates@almaty.kz", "Ideas-pass-2026", ALMATY)
    body = round_body(ALMALY)
    half = await client.post("/api/v1/admin/rounds", headers=staff, json={**body, "ideas_opens_at": body[
        "voting_opens_at"]})
    assert half.status_code == 422 and half.json()["errors"][0]["field"] == "ideas_closes_at"
    late = await client.post("/api/v1/admin/rounds", headers=staff, json={
        **body, "ideas_opens_at": body["voting_opens_at"], "ideas_closes_at": body["voting_closes_at"]})
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "ideas_closes_at"

    _, round_id = await ideas_round(client, "ideas-dates@almaty.kz")
    await Round.update({Round.status: "draft"}).where(Round.id == round_id)  # as if the server had been down
    await asyncio.gather(*(advance_rounds(60) for _ in range(4)))
    assert (await Round.select(Round.status).where(Round.id == round_id).first())["status"] == "ideas"
    from notify.tables import NotifyEvent
    told = await NotifyEvent.count().where((NotifyEvent.kind == "round.ideas_opened")
                                          & (NotifyEvent.subject_id == str(round_id)))
    assert told == 1

    await Round.update({Round.status: "draft"}).where(Round.id == round_id)
    await end_ideas_phase(round_id)
    await advance_rounds(60)
    assert (await Round.select(Round.status).where(Round.id == round_id).first())["status"] == "review"
    await open_now(round_id)
    await advance_rounds(60)
    assert (await Round.select(Round.status).where(Round.id == round_id).first())["status"] == "voting"
    frozen = await client.patch(f"/api/v1/admin/rounds/{round_id}", headers=staff,
                                json={"ideas_closes_at": body["voting_opens_at"]})
    assert frozen.status_code == 409


async def test_an_idea_in_english_is_accepted_with_a_kazakh_or_russian_project_title(client, outbox):
    staff, round_id = await ideas_round(client, "ideas-english@almaty.kz")
    author = await resident(client, outbox, ALMALY)
    idea = await propose(client, author, round_id, title="Benches in the park", text="Please put benches along the "
                         "alley of the park.", category="parks")
    assert idea["language"] == "en"
    address = f"/api/v1/admin/ideas/{idea['id']}/review"
    untitled = await client.post(address, headers=staff, json={"decision": "accept", "cost": 900_000})
    assert untitled.status_code == 422 and untitled.json()["errors"][0]["field"] == "title"
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["status"] == "submitted"
    titled = await client.post(address, headers=staff, json={
        "decision": "accept", "cost": 900_000, "title": {"ru": "Скамейки в парке", "kk": "Саябақтағы орындықтар"}})
    assert titled.status_code == 200, titled.text
    project = (await client.get(f"/api/v1/rounds/{round_id}/projects", headers={"Accept-Language": "kk"})).json()[0]
    assert project["title"] == "Саябақтағы орындықтар" and project["idea_id"] == idea["id"]
