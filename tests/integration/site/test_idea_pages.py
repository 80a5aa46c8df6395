"""Ideas on the resident site without JavaScript: propose through the form, support and withdraw through
forms, the review's answer in the reader's language, and what a resident is told when they may not."""

from __future__ import annotations

import re

from tests.helpers import photo_bytes, resident
from tests.integration.ideas.helpers import ALATAU, ALMALY, ALMATY, end_ideas_phase, ideas_round, propose
from tests.integration.site.site_helpers import LANG, Browser, registered, sign_in

FORM = {"title": "Скамейки у школы № 12", "text": "У школы негде присесть родителям, поставьте скамейки.",
        "category": "yards", "region": ALMALY, "lat": "43.2389", "lon": "76.8897", "estimated_cost": "900000"}
SUPPORTS = re.compile(r'data-supports>([\d ]+)<')


def supports_shown(page_text: str) -> int:
    return int(SUPPORTS.search(page_text).group(1).replace(" ", ""))


async def test_a_resident_proposes_through_the_form_with_a_photo_and_finds_it_in_my_ideas(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-propose@almaty.kz")
    author = await registered(client, outbox, ALMALY, language="ru")
    form_page = f"/rounds/{round_id}/ideas/new"
    shown = await author.get(form_page)
    assert shown.status_code == 200 and 'name="title"' in shown.text and 'value="yards"' in shown.text
    sent = await author.post(form_page, FORM, form_page, files={"photo": ("bench.png", photo_bytes(), "image/png")})
    assert sent.status_code == 303 and re.fullmatch(r"/ideas/\d+", sent.headers["location"]), sent.text[:500]
    idea_id = int(sent.headers["location"].rsplit("/", 1)[1])
    page = await author.follow(sent)
    assert page.status_code == 200 and FORM["title"] in page.text and "ожидает рассмотрения" in page.text
    assert f'src="/api/v1/ideas/{idea_id}/photos/' in page.text
    photo = re.search(r'src="(/api/v1/ideas/\d+/photos/\d+)"', page.text).group(1)
    assert (await client.get(photo)).headers["content-type"] == "image/png"
    listed = await author.get(f"/rounds/{round_id}/ideas")
    assert f'href="/ideas/{idea_id}"' in listed.text and "Алмалинский" in listed.text
    mine = await author.get("/me/ideas")
    assert mine.status_code == 200 and f'href="/ideas/{idea_id}"' in mine.text


async def test_field_errors_come_back_beside_the_field_with_what_was_typed(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-fields@almaty.kz")
    author = await registered(client, outbox, ALMALY, language="en")
    form_page = f"/rounds/{round_id}/ideas/new"
    refused = await author.post(form_page, {**FORM, "title": "ab", "lat": "43.2", "lon": ""}, form_page)
    assert refused.status_code == 422
    assert 'id="title-error"' in refused.text and "The title has 3 to 120 characters." in refused.text
    assert 'id="location-error"' in refused.text and FORM["text"] in refused.text
    assert (await author.get("/me/ideas")).text.count('href="/ideas/') == 0


async def test_support_and_withdraw_through_forms_change_the_count_shown(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-support@almaty.kz")
    idea = await propose(client, await resident(client, outbox, ALMALY), round_id)
    supporter = await registered(client, outbox, ALMALY)
    listing = f"/rounds/{round_id}/ideas"
    before = await supporter.get(listing)
    assert f'data-support="{idea["id"]}"' in before.text and supports_shown(before.text) == 0
    back = f"{listing}?sort=supports#idea-{idea['id']}"
    supported = await supporter.post(f"/ideas/{idea['id']}/support", {"back": back}, listing)
    assert supported.status_code == 303 and supported.headers["location"] == back
    after = await supporter.follow(supported)
    assert supports_shown(after.text) == 1 and f'data-withdraw="{idea["id"]}"' in after.text
    again = await supporter.post(f"/ideas/{idea['id']}/support", {"back": back}, listing)
    assert supports_shown((await supporter.follow(again)).text) == 1
    withdrawn = await supporter.post(f"/ideas/{idea['id']}/withdraw", {"back": f"/ideas/{idea['id']}"},
                                     f"/ideas/{idea['id']}")
    page = await supporter.follow(withdrawn)
    assert supports_shown(page.text) == 0 and f'data-support="{idea["id"]}"' in page.text


async def test_the_list_pages_with_its_cursor_and_filters_by_category(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-pages@almaty.kz")
    people = [await resident(client, outbox, ALMALY) for _ in range(5)]
    ideas = [await propose(client, person, round_id, title=f"Идея номер {n}", category="parks")
             for n, person in enumerate(people)]
    for person in people[:4]:
        for idea in ideas[:5]:
            await client.put(f"/api/v1/ideas/{idea['id']}/support", headers=person["headers"])
    lighting = await propose(client, people[0], round_id, title="Фонари на улице", category="lighting")
    reader = Browser(client, "ru")
    everything = set()
    page = await reader.get(f"/rounds/{round_id}/ideas?sort=new")
    while True:
        everything |= {int(i) for i in re.findall(r'id="idea-(\d+)"', page.text)}
        more = re.search(r'href="([^"]+)" rel="next"', page.text)
        if not more:
            break
        page = await reader.get(more.group(1).replace("&amp;", "&"))
    assert everything == {i["id"] for i in ideas} | {lighting["id"]}
    parks = await reader.get(f"/rounds/{round_id}/ideas?category=lighting")
    assert re.findall(r'id="idea-(\d+)"', parks.text) == [str(lighting["id"])]


async def test_a_hidden_idea_is_not_found_and_a_merged_one_names_its_target(client, outbox):
    staff, round_id = await ideas_round(client, "site-ideas-hidden@almaty.kz")
    author = await resident(client, outbox, ALMALY)
    spam = await propose(client, author, round_id, title="Купите часы недорого")
    kept = await propose(client, author, round_id)
    twin = await propose(client, author, round_id, title="Фонари во дворе дома 12")
    for idea, decision in ((spam, {"decision": "hide", "reason": {"ru": "Реклама"}}),
                           (twin, {"decision": "merge", "merge_into": kept["id"],
                                   "reason": {"kk": "Ұқсас идеямен біріктірілді", "ru": "Объединена с похожей"}})):
        answer = await client.post(f"/api/v1/admin/ideas/{idea['id']}/review", headers=staff, json=decision)
        assert answer.status_code == 200, answer.text
    reader = Browser(client, "kk")
    assert (await reader.get(f"/ideas/{spam['id']}")).status_code == 404
    assert f'id="idea-{spam["id"]}"' not in (await reader.get(f"/rounds/{round_id}/ideas")).text
    merged = await reader.get(f"/ideas/{twin['id']}")
    assert "Ұқсас идеямен біріктірілді" in merged.text and f'href="/ideas/{kept["id"]}"' in merged.text
    assert "Объединена с похожей" in (await Browser(client, "ru").get(f"/ideas/{twin['id']}")).text


async def test_a_residents_script_is_shown_as_text(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-escape@almaty.kz")
    idea = await propose(client, await resident(client, outbox, ALMALY), round_id,
                         title="<script>alert(1)</script> двор", text="Текст <b>жирный</b> и <img src=x onerror=1>")
    reader = Browser(client, "ru")
    for path in (f"/ideas/{idea['id']}", f"/rounds/{round_id}/ideas"):
        page = await reader.get(path)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
        assert "<img src=x" not in page.text and "&lt;b&gt;" in page.text


async def test_anonymous_visitors_are_sent_to_sign_in_and_the_unregistered_to_residency(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-anon@almaty.kz")
    anonymous = Browser(client, "kk")
    new = await anonymous.get(f"/rounds/{round_id}/ideas/new")
    assert new.status_code == 303 and new.headers["location"] == f"/signin?next=/rounds/{round_id}/ideas/new"
    assert (await anonymous.get("/me/ideas")).headers["location"] == "/signin?next=/me/ideas"
    listing = await anonymous.get(f"/rounds/{round_id}/ideas")
    assert listing.status_code == 200 and "data-support=" not in listing.text


async def test_outside_the_phase_and_out_of_the_region_the_resident_is_told_why(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-closed@almaty.kz")
    neighbour = await registered(client, outbox, "751210000", language="en")  # Alatau: not the round's district
    form_page = f"/rounds/{round_id}/ideas/new"
    refused = await neighbour.get(form_page)
    assert refused.status_code == 403 and "they are for registered residents of its district" in refused.text
    assert 'name="title"' not in refused.text
    author = await registered(client, outbox, ALMALY, language="en")
    await end_ideas_phase(round_id)
    closed = await author.get(form_page)
    assert closed.status_code == 409 and "ideas phase lasts" in closed.text
    late = await author.post(form_page, FORM, f"/rounds/{round_id}/ideas")
    assert late.status_code == 409 and 'class="problem"' in late.text


async def test_the_sixth_idea_is_refused_with_the_limit(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-limit@almaty.kz")
    author = await registered(client, outbox, ALMALY, language="en")
    form_page = f"/rounds/{round_id}/ideas/new"
    for number in range(5):
        sent = await author.post(form_page, {**FORM, "title": f"Idea number {number}"}, form_page)
        assert sent.status_code == 303, sent.text[:500]
    sixth = await author.post(form_page, FORM, form_page)
    assert sixth.status_code == 429 and "You have proposed 5 ideas" in sixth.text and "retry-after" in sixth.headers


async def test_every_ideas_page_and_the_round_and_home_speak_kazakh(client, outbox):
    staff, round_id = await ideas_round(client, "site-ideas-kk@almaty.kz")
    idea = await propose(client, await resident(client, outbox, ALMALY), round_id)
    browser = await registered(client, outbox, ALMALY, language="kk")
    for path in ("/", f"/rounds/{round_id}", f"/rounds/{round_id}/ideas", f"/rounds/{round_id}/ideas/new",
                 f"/ideas/{idea['id']}", "/me/ideas"):
        page = await browser.get(path)
        assert page.status_code == 200 and LANG.search(page.text).group(1) == "kk", (path, page.status_code)
    home = await browser.get("/")
    assert f'href="/rounds/{round_id}/ideas"' in home.text
    assert f'href="/rounds/{round_id}/ideas/new"' in (await browser.get(f"/rounds/{round_id}")).text
    assert "Тұрғындардың идеялары" in (await browser.get(f"/rounds/{round_id}/ideas")).text


async def test_an_accepted_idea_links_its_project_and_the_review_phase_takes_no_supports(client, outbox):
    staff, round_id = await ideas_round(client, "site-ideas-accept@almaty.kz")
    idea = await propose(client, await resident(client, outbox, ALMALY), round_id)
    supporter = await registered(client, outbox, ALMALY, language="ru")
    page = f"/ideas/{idea['id']}"
    assert (await supporter.post(f"{page}/support", {"back": page}, page)).status_code == 303
    await end_ideas_phase(round_id)
    decided = await client.post(f"/api/v1/admin/ideas/{idea['id']}/review", headers=staff, json={
        "decision": "accept", "cost": 5_000_000, "reason": {"ru": "Прошла экспертизу", "kk": "Сараптамадан өтті"}})
    assert decided.status_code == 200, decided.text
    shown = await supporter.get(page)
    assert f'href="/projects/{decided.json()["project_id"]}"' in shown.text and "Прошла экспертизу" in shown.text
    assert "data-withdraw=" not in shown.text and supports_shown(shown.text) == 1
    form_page = await Browser(client, "ru").get(f"/rounds/{round_id}")
    assert f'href="/rounds/{round_id}/ideas"' in form_page.text
    late = await supporter.post(f"{page}/withdraw", {"back": page}, page)
    assert late.status_code == 409 and "идей" in late.text


def noisy_png(side: int = 400) -> bytes:
    """A real photo larger than the site's usual 64 KB bodies (noise does not compress)."""
    import io
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


async def test_the_author_adds_a_large_photo_on_the_ideas_page_and_a_non_photo_is_refused_there(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-photo@almaty.kz")
    author = await registered(client, outbox, ALMALY, language="en")
    form_page = f"/rounds/{round_id}/ideas/new"
    sent = await author.post(form_page, FORM, form_page, files={"photo": ("notes.txt", b"not a photo", "text/plain")})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?photo=refused")
    page = await author.follow(sent)
    idea_page = sent.headers["location"].split("?")[0]
    assert "The photo is a JPEG, PNG or WebP" in page.text and f'action="{idea_page}/photos"' in page.text
    large = noisy_png()
    assert len(large) > 256 * 1024
    added = await author.post(f"{idea_page}/photos", {}, idea_page, files={"photo": ("yard.png", large, "image/png")})
    assert added.status_code == 303, added.text[:500]
    assert (await author.get(idea_page)).text.count('src="/api/v1/ideas/') == 1
    refused = await author.post(f"{idea_page}/photos", {}, idea_page, files={"photo": ("a.txt", b"text", "text/plain")})
    assert refused.status_code == 422 and 'class="problem"' in refused.text
    other = await registered(client, outbox, ALMALY, language="en")
    assert f'action="{idea_page}/photos"' not in (await other.get(idea_page)).text


async def test_a_resident_not_yet_registered_is_asked_for_residency_and_numbers_are_checked(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-residency@almaty.kz")
    unregistered = Browser(client, "en")
    await sign_in(unregistered, outbox)
    form_page = f"/rounds/{round_id}/ideas/new"
    sent_on = await unregistered.get(form_page)
    assert sent_on.status_code == 303 and sent_on.headers["location"] == f"/signin/residency?next={form_page}"
    author = await registered(client, outbox, ALMALY, language="en")
    for cost in ("a lot", "1" + "0" * 19):
        typed = await author.post(form_page, {**FORM, "estimated_cost": cost}, form_page)
        assert typed.status_code == 422 and 'id="estimated_cost-error"' in typed.text


async def test_a_round_of_a_city_filters_its_ideas_by_district(client, outbox):
    _, round_id = await ideas_round(client, "site-ideas-city@almaty.kz", region=ALMATY)
    almaly = await propose(client, await resident(client, outbox, ALMALY), round_id)
    alatau = await propose(client, await resident(client, outbox, ALATAU), round_id)
    reader = Browser(client, "ru")
    page = await reader.get(f"/rounds/{round_id}/ideas")
    assert {f'id="idea-{almaly["id"]}"', f'id="idea-{alatau["id"]}"'} <= set(re.findall(r'id="idea-\d+"', page.text))
    assert f'<option value="{ALATAU}">' in page.text
    only = await reader.get(f"/rounds/{round_id}/ideas?region={ALATAU}")
    assert re.findall(r'id="idea-(\d+)"', only.text) == [str(alatau["id"])]
    assert f'<option value="{ALATAU}" selected>' in only.text
